import NIOCore
import NIOWebSocket
import WSCCore

/// Reads WebSocket frames out of the bytes as they arrive: the one place frames are decoded.
///
/// A value the connection handler feeds with each read and asks for what it completes, in
/// order (``next(from:)``). A frame whose payload arrived whole within one read is a slice
/// of that read, not a copy; only a frame cut by the end of a read is gathered into a
/// buffer of its own. It takes the place of NIO's frame decoder and of a filter in front
/// of it, which each parsed every header.
///
/// It also looks at the bytes as they come:
/// - a frame whose header announces more than `limit` bytes is reported at once
///   (``Item/frameTooLong(_:)``) and its payload passed over as it arrives, so that the
///   frames after it (the peer's answer to our 1009) are read as usual;
/// - text that cannot be valid UTF-8 is reported at the byte that makes it so, within a
///   frame or at a later fragment (RFC 6455 8.1's fail-fast; see ``IncomingTextCheck``),
///   in place of the frame that holds it; nothing more is checked after that.
package struct FrameReader {
    /// A frame as it came: its header's bits, and its payload, unmasked.
    package struct Frame: Equatable {
        package var fin: Bool
        package var rsv1: Bool
        package var rsv2: Bool
        package var rsv3: Bool
        /// The header's 4-bit opcode.
        package var opcode: UInt8
        /// Whether the frame came masked (a client's).
        package var masked: Bool
        package var payload: ByteBuffer
        /// Whether this frame ends a text message every byte of which was checked as it
        /// came, ending on a whole character: it needs no check again.
        package var endsCheckedText = false
    }

    /// What the bytes read so far complete.
    package enum Item: Equatable {
        case frame(Frame)
        /// A frame announced this many payload bytes, over the limit; they are passed over.
        case frameTooLong(UInt64)
        /// Text that cannot be valid UTF-8 arrived; the frame holding it is passed over.
        case textNotUTF8
    }

    private enum State {
        /// At the start of a frame.
        case header
        /// Within the payload of a frame cut by the end of a read: the frame so far, and
        /// how many of its bytes are still to come.
        case gathering(Frame, key: WebSocketMaskingKey?, remaining: Int)
        /// Within the payload of a frame that is passed over.
        case skipping(remaining: UInt64)
    }

    private let limit: UInt64
    private var state = State.header
    /// The start of a header that a read cut off, held until the header is whole.
    private var heldHeader: ByteBuffer?
    /// Whether the text arriving is still UTF-8; nil once it was found not to be.
    private var textCheck: IncomingTextCheck? = IncomingTextCheck()
    /// Unmasked payload, for the text check of a masked frame's piece.
    private var scratch: [UInt8] = []

    package init(limit: Int) {
        self.limit = UInt64(max(limit, 0))
    }

    /// The next thing `bytes` completes, taking from them what it reads; nil once every
    /// byte of them is taken in and nothing more is complete.
    package mutating func next(from bytes: inout ByteBuffer) -> Item? {
        while true {
            switch self.state {
            case .header:
                let start: (frame: Frame, key: WebSocketMaskingKey?, length: UInt64)
                if var held = self.heldHeader {
                    guard let header = Self.complete(&held, from: &bytes) else {
                        self.heldHeader = held
                        return nil
                    }
                    self.heldHeader = nil
                    start = Self.readHeader(header, from: &held)
                } else {
                    guard bytes.readableBytes > 0 else {
                        return nil
                    }
                    guard let header = FrameHeader(parsing: bytes) else {
                        self.heldHeader = bytes.readSlice(length: bytes.readableBytes)
                        return nil
                    }
                    start = Self.readHeader(header, from: &bytes)
                }
                if let item = self.frameStarts(start.frame, key: start.key, length: start.length, in: &bytes) {
                    return item
                }
            case .gathering(var frame, let key, let remaining):
                let count = min(remaining, bytes.readableBytes)
                guard count > 0, var piece = bytes.readSlice(length: count) else {
                    return nil
                }
                self.state = .header
                let valid = self.checkText(piece, key: key, offset: frame.payload.readableBytes)
                frame.payload.writeBuffer(&piece)
                guard valid else {
                    self.textNotUTF8(skipping: remaining - count)
                    return .textNotUTF8
                }
                guard remaining == count else {
                    self.state = .gathering(frame, key: key, remaining: remaining - count)
                    return nil
                }
                if let key {
                    frame.payload.webSocketUnmask(key)
                }
                frame.endsCheckedText = self.endsCheckedText(frame)
                return .frame(frame)
            case .skipping(let remaining):
                let count = Int(min(remaining, UInt64(bytes.readableBytes)))
                bytes.moveReaderIndex(forwardBy: count)
                guard remaining == UInt64(count) else {
                    self.state = .skipping(remaining: remaining - UInt64(count))
                    return nil
                }
                self.state = .header
            }
        }
    }

    /// Reads a whole header off the front of `bytes`: the frame's bits, its masking key
    /// and its payload length.
    private static func readHeader(
        _ header: FrameHeader,
        from bytes: inout ByteBuffer
    ) -> (frame: Frame, key: WebSocketMaskingKey?, length: UInt64) {
        guard let first = bytes.readInteger(as: UInt8.self), let second = bytes.readInteger(as: UInt8.self) else {
            preconditionFailure("a parsed header is at least two bytes")
        }
        let masked = second & 0x80 != 0
        bytes.moveReaderIndex(forwardBy: header.size - 2 - (masked ? 4 : 0))
        var key: WebSocketMaskingKey?
        if masked {
            key = WebSocketMaskingKey(bytes.readableBytesView.prefix(4))
            bytes.moveReaderIndex(forwardBy: 4)
        }
        let frame = Frame(
            fin: first & 0x80 != 0,
            rsv1: first & 0x40 != 0,
            rsv2: first & 0x20 != 0,
            rsv3: first & 0x10 != 0,
            opcode: first & 0x0F,
            masked: masked,
            payload: ByteBuffer()
        )
        return (frame, key, header.payloadLength)
    }

    /// A frame's header was read: reads its payload too if all of it is in `bytes`.
    ///
    /// Returns nil when there is nothing to report yet (a frame cut by the end of the
    /// read); the state says what comes next.
    private mutating func frameStarts(
        _ started: Frame,
        key: WebSocketMaskingKey?,
        length announced: UInt64,
        in bytes: inout ByteBuffer
    ) -> Item? {
        guard announced <= self.limit else {
            self.state = .skipping(remaining: announced)
            return .frameTooLong(announced)
        }
        var frame = started
        let length = Int(announced)
        self.textCheck?.frameStarted(opcode: frame.opcode, fin: frame.fin, rsv1: frame.rsv1)
        guard var payload = bytes.readSlice(length: length) else {
            // Cut by the end of the read: gathered from here on.
            var piece = bytes
            bytes.moveReaderIndex(forwardBy: bytes.readableBytes)
            let valid = self.checkText(piece, key: key, offset: 0)
            frame.payload = ByteBufferAllocator().buffer(capacity: min(length, 1 << 20))
            frame.payload.writeBuffer(&piece)
            let remaining = length - frame.payload.readableBytes
            guard valid else {
                self.textNotUTF8(skipping: remaining)
                return .textNotUTF8
            }
            self.state = .gathering(frame, key: key, remaining: remaining)
            return nil
        }
        if let key {
            payload.webSocketUnmask(key)
        }
        guard self.checkText(payload, key: nil, offset: 0) else {
            self.textNotUTF8(skipping: 0)
            return .textNotUTF8
        }
        frame.payload = payload
        frame.endsCheckedText = self.endsCheckedText(frame)
        return .frame(frame)
    }

    /// Adds the next bytes of `bytes` to a held header until it is whole; nil while it is not.
    private static func complete(_ held: inout ByteBuffer, from bytes: inout ByteBuffer) -> FrameHeader? {
        var header = FrameHeader(parsing: held)
        while header == nil, held.readableBytes < FrameHeader.maximumSize, let byte = bytes.readInteger(as: UInt8.self)
        {
            held.writeInteger(byte)
            header = FrameHeader(parsing: held)
        }
        return header
    }

    /// Whether `frame`, read whole, ends a text message the check went over entirely.
    private func endsCheckedText(_ frame: Frame) -> Bool {
        guard frame.fin, let check = self.textCheck, check.isChecking else {
            return false
        }
        return check.isAtBoundary
    }

    /// Text was found not to be UTF-8: the rest of its frame is passed over, and nothing
    /// more is checked.
    private mutating func textNotUTF8(skipping remaining: Int) {
        self.textCheck = nil
        self.state = remaining > 0 ? .skipping(remaining: UInt64(remaining)) : .header
    }

    /// Checks a piece of the current frame's payload, `offset` bytes into it, if it is text.
    private mutating func checkText(_ piece: ByteBuffer, key: WebSocketMaskingKey?, offset: Int) -> Bool {
        guard var check = self.textCheck, check.isChecking else {
            return true
        }
        let valid: Bool
        if let key {
            self.scratch.removeAll(keepingCapacity: true)
            var position = offset
            piece.withUnsafeReadableBytes { bytes in
                for byte in bytes {
                    self.scratch.append(byte ^ key[position & 3])
                    position += 1
                }
            }
            valid = self.scratch.withUnsafeBytes { check.payloadArrived($0) }
        } else {
            valid = piece.withUnsafeReadableBytes { check.payloadArrived($0) }
        }
        self.textCheck = check
        return valid
    }
}
