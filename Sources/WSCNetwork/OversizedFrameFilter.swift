import NIOCore
import NIOWebSocket
import WSCCore

/// Drops frames whose payload is over the message size limit before they are read whole,
/// and says so with an ``OversizedFrameFilter/FrameTooLong`` event.
///
/// It sits in front of NIO's frame decoder, which would take in a whole frame of any
/// announced length, or, over its limit, stop decoding altogether: the peer's answer to our
/// 1009 could then not be read, and a clean close was reported as 1006. Here the frame's
/// payload is counted off as it arrives, and the frames after it are decoded as usual.
/// Bytes of frames within the limit are passed on as slices of what was read, in one run
/// per read where they follow each other.
final class OversizedFrameFilter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// The user event for a frame over the limit; its payload is dropped.
    struct FrameTooLong: Sendable {
        /// The payload length its header announced.
        var length: UInt64
    }

    private enum State {
        /// At the start of a frame.
        case header
        /// Within the payload of a frame that is passed on.
        case passing(remaining: UInt64)
        /// Within the payload of a frame over the limit.
        case dropping(remaining: UInt64)
    }

    private let limit: UInt64
    private var state = State.header
    /// The start of a header that a read cut off, held until its length is known.
    private var heldHeader: ByteBuffer?

    init(limit: Int) {
        self.limit = UInt64(max(limit, 0))
    }

    /// Puts a filter in front of the frame decoder that an upgrade added.
    static func insert(limit: Int, into operations: ChannelPipeline.SynchronousOperations) throws {
        let decoder = try operations.handler(type: ByteToMessageHandler<WebSocketFrameDecoder>.self)
        try operations.addHandler(OversizedFrameFilter(limit: limit), position: .before(decoder))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let read = self.unwrapInboundIn(data)
        var buffer = read
        // The bytes passed on from this read: [runStart, buffer.readerIndex), sliced from
        // `read`, whose reader index stays at the start (get methods take readable bytes only).
        var runStart = buffer.readerIndex
        func passRun() {
            let count = buffer.readerIndex - runStart
            if count > 0, let run = read.getSlice(at: runStart, length: count) {
                context.fireChannelRead(self.wrapInboundOut(run))
            }
        }
        while buffer.readableBytes > 0 {
            switch self.state {
            case .passing(let remaining):
                let count = Int(min(remaining, UInt64(buffer.readableBytes)))
                buffer.moveReaderIndex(forwardBy: count)
                self.state = remaining == UInt64(count) ? .header : .passing(remaining: remaining - UInt64(count))
            case .dropping(let remaining):
                passRun()
                let count = Int(min(remaining, UInt64(buffer.readableBytes)))
                buffer.moveReaderIndex(forwardBy: count)
                runStart = buffer.readerIndex
                self.state = remaining == UInt64(count) ? .header : .dropping(remaining: remaining - UInt64(count))
            case .header:
                if self.heldHeader != nil {
                    passRun()
                    self.completeHeldHeader(from: &buffer, context: context)
                    runStart = buffer.readerIndex
                    continue
                }
                guard let header = FrameHeader(parsing: buffer.readableBytesView) else {
                    // The rest of this read is the start of a header.
                    passRun()
                    self.heldHeader = buffer.readSlice(length: buffer.readableBytes)
                    runStart = buffer.readerIndex
                    continue
                }
                if header.payloadLength > self.limit {
                    passRun()
                    buffer.moveReaderIndex(forwardBy: header.size)
                    runStart = buffer.readerIndex
                    self.state = .dropping(remaining: header.payloadLength)
                    context.fireUserInboundEventTriggered(FrameTooLong(length: header.payloadLength))
                } else {
                    buffer.moveReaderIndex(forwardBy: header.size)
                    self.state = header.payloadLength == 0 ? .header : .passing(remaining: header.payloadLength)
                }
            }
        }
        passRun()
    }

    /// Adds the next bytes to a held header until its length is known, then passes it on or
    /// drops it.
    private func completeHeldHeader(from buffer: inout ByteBuffer, context: ChannelHandlerContext) {
        guard var held = self.heldHeader else {
            return
        }
        var header = FrameHeader(parsing: held.readableBytesView)
        while header == nil, held.readableBytes < FrameHeader.maximumSize, let byte = buffer.readInteger(as: UInt8.self) {
            held.writeInteger(byte)
            header = FrameHeader(parsing: held.readableBytesView)
        }
        guard let header else {
            self.heldHeader = held
            return
        }
        self.heldHeader = nil
        if header.payloadLength > self.limit {
            self.state = .dropping(remaining: header.payloadLength)
            context.fireUserInboundEventTriggered(FrameTooLong(length: header.payloadLength))
        } else {
            self.state = header.payloadLength == 0 ? .header : .passing(remaining: header.payloadLength)
            context.fireChannelRead(self.wrapInboundOut(held))
        }
    }
}
