import NIOCore
import NIOWebSocket
import WSCCore

/// Looks at frames as their bytes arrive, before NIO's frame decoder takes them in whole:
/// drops frames whose payload is over the message size limit, and checks the UTF-8 of
/// text messages as it comes.
///
/// A frame over the limit is said with a ``FrameTooLong`` event and its payload counted
/// off as it arrives: NIO's decoder would take in a whole frame of any announced length,
/// or, over its limit, stop decoding altogether, so that the peer's answer to our 1009
/// could not be read and a clean close was reported as 1006. The frames after it are
/// decoded as usual.
///
/// Text that cannot be valid UTF-8 is said with a ``TextNotUTF8`` event at the byte that
/// makes it so, within a frame or at a later fragment (RFC 6455 8.1's fail-fast; see
/// ``IncomingTextCheck``); the bytes still pass, so that the decoder stays in step, and
/// nothing more is checked.
///
/// Bytes of frames within the limit are passed on as slices of what was read, in one run
/// per read where they follow each other.
final class InboundFrameFilter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// The user event for a frame over the limit; its payload is dropped.
    struct FrameTooLong: Sendable {
        /// The payload length its header announced.
        var length: UInt64
    }

    /// The user event for text that cannot be valid UTF-8.
    struct TextNotUTF8: Sendable {}

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
    /// Whether the text arriving is still UTF-8; nil once it was found not to be.
    private var textCheck: IncomingTextCheck? = IncomingTextCheck()
    /// The current frame's masking key (a client's frames), and how far into its payload we are.
    private var maskKey: WebSocketMaskingKey?
    private var payloadOffset = 0
    /// Unmasked payload, for the text check of a masked frame.
    private var scratch: [UInt8] = []

    init(limit: Int) {
        self.limit = UInt64(max(limit, 0))
    }

    /// Puts a filter in front of the frame decoder that an upgrade added.
    static func insert(limit: Int, into operations: ChannelPipeline.SynchronousOperations) throws {
        let decoder = try operations.handler(type: ByteToMessageHandler<WebSocketFrameDecoder>.self)
        try operations.addHandler(InboundFrameFilter(limit: limit), position: .before(decoder))
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
                self.checkText(buffer, count: count, context: context)
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
                guard let header = FrameHeader(parsing: buffer) else {
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
                    self.frameStarted(header, bytes: buffer)
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
        var header = FrameHeader(parsing: held)
        while header == nil, held.readableBytes < FrameHeader.maximumSize, let byte = buffer.readInteger(as: UInt8.self)
        {
            held.writeInteger(byte)
            header = FrameHeader(parsing: held)
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
            self.frameStarted(header, bytes: held)
            self.state = header.payloadLength == 0 ? .header : .passing(remaining: header.payloadLength)
            context.fireChannelRead(self.wrapInboundOut(held))
        }
    }

    /// A frame within the limit starts: the readable bytes of `bytes` begin with its header.
    private func frameStarted(_ header: FrameHeader, bytes: ByteBuffer) {
        guard self.textCheck != nil, let first = bytes.getInteger(at: bytes.readerIndex, as: UInt8.self) else {
            return
        }
        self.textCheck?.frameStarted(opcode: first & 0x0F, fin: first & 0x80 != 0, rsv1: first & 0x40 != 0)
        self.payloadOffset = 0
        if let second = bytes.getInteger(at: bytes.readerIndex + 1, as: UInt8.self), second & 0x80 != 0,
            let key = bytes.getBytes(at: bytes.readerIndex + header.size - 4, length: 4)
        {
            self.maskKey = WebSocketMaskingKey(key)
        } else {
            self.maskKey = nil
        }
    }

    /// Checks the next `count` readable bytes of a payload that passes, unmasked, if it is text.
    private func checkText(_ buffer: ByteBuffer, count: Int, context: ChannelHandlerContext) {
        guard var check = self.textCheck, check.isChecking else {
            return
        }
        let valid: Bool
        if let key = self.maskKey {
            self.scratch.removeAll(keepingCapacity: true)
            var position = self.payloadOffset
            buffer.withUnsafeReadableBytes { bytes in
                for byte in bytes.prefix(count) {
                    self.scratch.append(byte ^ key[position & 3])
                    position += 1
                }
            }
            valid = self.scratch.withUnsafeBytes { check.payloadArrived($0) }
        } else {
            valid = buffer.withUnsafeReadableBytes {
                check.payloadArrived(UnsafeRawBufferPointer(rebasing: $0.prefix(count)))
            }
        }
        self.payloadOffset += count
        guard valid else {
            self.textCheck = nil
            context.fireUserInboundEventTriggered(TextNotUTF8())
            return
        }
        self.textCheck = check
    }
}
