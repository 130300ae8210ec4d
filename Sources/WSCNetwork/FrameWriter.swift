import NIOCore
import NIOWebSocket
import WSCCore

/// Encodes and writes every frame a connection sends: data, file chunks and control frames,
/// compressed or not, masked as a client, with the same fast masking.
///
/// The connection handler owns it, as `NIOHTTP2Handler` owns its frame encoder, and it
/// writes bytes. NIO's `WebSocketFrameEncoder`, which writes each frame as two buffers and
/// masks in a second pass, stays in the pipeline only because NIO's upgraders put it there
/// and it cannot be removed: the bytes are written from its place, past it.
///
/// Frames whose payload is in memory are encoded many into one buffer (header and
/// masked payload in one pass), written once ``batchLimit`` bytes wait and before any
/// flush: small messages then cost no allocation and no system call each. A payload that
/// is a buffer of its own is masked in place and written behind a header of its own:
/// bulk data is not copied (unless the buffer is also held elsewhere, when masking copies
/// it first).
struct FrameWriter {
    /// Encoded frames are written once this much waits (and before any flush).
    static let batchLimit = 256 * 1024

    /// Which end we are: a client masks every frame with a fresh key, a server must not mask.
    let role: ConnectionRole
    /// permessage-deflate, once agreed: whole data messages are compressed.
    var compression: PerMessageDeflateCodec?
    /// Where masking keys come from.
    private var random = BufferedSystemRandom()
    /// Frames encoded but not yet written.
    private var batch: ByteBuffer?
    /// The buffer last written: reused for the next frames once NIO has let go of it.
    ///
    /// This saves an allocation, and fresh pages to fault in, per write of a bulk send.
    private var written: ByteBuffer?

    init(role: ConnectionRole) {
        self.role = role
    }

    /// A fresh masking key for a client's frame; none for a server's.
    private mutating func maskKey() -> WebSocketMaskingKey? {
        switch self.role {
        case .client: .random(using: &self.random)
        case .server: nil
        }
    }

    /// Encodes a frame and writes it, or keeps it for the next write (unflushed).
    ///
    /// The promise, when given, completes once the frame is written (with the frames
    /// before it).
    mutating func write(
        _ frame: consuming OutboundFrame,
        context: ChannelHandlerContext,
        promise: EventLoopPromise<Void>? = nil
    ) {
        let (opcode, fin) = (frame.opcode, frame.fin)
        if frame.isWholeMessage, let compression = self.compression,
            let compressed = Self.compress(frame.payload, with: compression, allocator: context.channel.allocator)
        {
            compressed.withUnsafeReadableBytes {
                self.append(fin: true, rsv1: true, opcode: opcode, payload: $0, context: context)
            }
            self.appended(context: context, promise: promise)
            return
        }
        // Taken out of the frame, so that a buffer's only reference is the one written.
        let payload = frame.payload
        _ = consume frame
        switch consume payload {
        case .copied(let bytes):
            bytes.withUnsafeReadableBytes {
                self.append(fin: fin, rsv1: false, opcode: opcode, payload: $0, context: context)
            }
            self.appended(context: context, promise: promise)
        case .bytes(let bytes):
            bytes.withUnsafeBytes { self.append(fin: fin, rsv1: false, opcode: opcode, payload: $0, context: context) }
            self.appended(context: context, promise: promise)
        case .buffer(let payload):
            self.write(buffer: consume payload, opcode: opcode, fin: fin, context: context, promise: promise)
        }
    }

    /// Writes a frame whose payload is a buffer of its own: its header in a small buffer,
    /// then the payload, masked in place.
    private mutating func write(
        buffer payload: consuming ByteBuffer,
        opcode: WebSocketOpcode,
        fin: Bool,
        context: ChannelHandlerContext,
        promise: EventLoopPromise<Void>?
    ) {
        self.writeBatch(context: context)
        let maskKey = self.maskKey()
        var header = context.channel.allocator.buffer(capacity: 14)
        header.writeWebSocketFrameHeader(fin: fin, opcode: opcode, maskKey: maskKey, length: payload.readableBytes)
        if let maskKey {
            payload.withUnsafeMutableReadableBytes { bytes in
                maskKey.mask(UnsafeRawBufferPointer(bytes), into: bytes)
            }
        }
        context.write(NIOAny(header), promise: nil)
        context.write(NIOAny(payload), promise: promise)
    }

    /// Writes what was encoded and flushes.
    mutating func flush(context: ChannelHandlerContext) {
        self.writeBatch(context: context)
        context.flush()
    }

    /// Drops what waits: the pipeline is going away.
    mutating func reset() {
        self.batch = nil
        self.written = nil
    }

    /// The compressed payload of a whole message, or nil when compressing does not apply
    /// (an empty payload).
    private static func compress(
        _ payload: OutboundFrame.Payload,
        with compression: PerMessageDeflateCodec,
        allocator: ByteBufferAllocator
    ) -> ByteBuffer? {
        switch payload {
        case .copied(let buffer): compression.compress(buffer, allocator: allocator)
        case .bytes(let bytes): compression.compress(allocator.buffer(bytes: bytes), allocator: allocator)
        case .buffer(let buffer): compression.compress(buffer, allocator: allocator)
        }
    }

    /// Encodes one frame into the shared buffer.
    private mutating func append(
        fin: Bool,
        rsv1: Bool,
        opcode: WebSocketOpcode,
        payload: UnsafeRawBufferPointer,
        context: ChannelHandlerContext
    ) {
        var buffer = self.batch ?? self.emptyBatch(context)
        self.batch = nil
        buffer.writeWebSocketFrame(fin: fin, rsv1: rsv1, opcode: opcode, maskKey: self.maskKey(), payload: payload)
        self.batch = buffer
    }

    /// After a frame was encoded: the buffer is written when it is full, or when the
    /// frame's writer waits for it to be written.
    private mutating func appended(context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        if promise != nil || (self.batch?.readableBytes ?? 0) >= Self.batchLimit {
            self.writeBatch(context: context, promise: promise)
        }
    }

    /// An empty buffer for encoded frames: the one last written when NIO is done with it
    /// (clearing it keeps its memory only then), else a new one.
    private mutating func emptyBatch(_ context: ChannelHandlerContext) -> ByteBuffer {
        guard var buffer = self.written else {
            return context.channel.allocator.buffer(capacity: Self.batchLimit + 64 * 1024)
        }
        self.written = nil
        buffer.clear()
        return buffer
    }

    /// Writes the encoded frames waiting (unflushed); the promise, when given, completes
    /// once they are written.
    private mutating func writeBatch(context: ChannelHandlerContext, promise: EventLoopPromise<Void>? = nil) {
        guard let frames = self.batch else {
            precondition(promise == nil, "a promise for frames that were written already")
            return
        }
        self.batch = nil
        context.write(NIOAny(frames), promise: promise)
        // One large message grows a buffer past the usual size: that one is not kept.
        self.written = frames.capacity <= 2 * Self.batchLimit ? frames : nil
    }
}
