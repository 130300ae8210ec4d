import NIOCore
import NIOWebSocket

extension ByteBuffer {
    /// Appends one whole WebSocket frame: its header, then the payload, masked when a key is given.
    ///
    /// The payload is copied and masked in one pass (see ``WebSocketMaskingKey/mask(_:into:)``),
    /// so many frames can share one buffer and one write. Returns the number of bytes written.
    @discardableResult
    mutating func writeWebSocketFrame(
        fin: Bool,
        rsv1: Bool = false,
        opcode: WebSocketOpcode,
        maskKey: WebSocketMaskingKey?,
        payload: UnsafeRawBufferPointer
    ) -> Int {
        let length = payload.count
        let written = self.writeWebSocketFrameHeader(
            fin: fin,
            rsv1: rsv1,
            opcode: opcode,
            maskKey: maskKey,
            length: length
        )
        guard let maskKey else {
            return written + self.writeBytes(payload)
        }
        return written
            + self.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { target in
                maskKey.mask(payload, into: target)
                return length
            }
    }

    /// Appends the header of a WebSocket frame whose payload is `length` bytes (the key
    /// included, when given). Returns the number of bytes written.
    @discardableResult
    mutating func writeWebSocketFrameHeader(
        fin: Bool,
        rsv1: Bool = false,
        opcode: WebSocketOpcode,
        maskKey: WebSocketMaskingKey?,
        length: Int
    ) -> Int {
        var written = self.writeInteger((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | UInt8(webSocketOpcode: opcode))
        let maskBit: UInt8 = maskKey == nil ? 0 : 0x80
        switch length {
        case ..<126:
            written += self.writeInteger(maskBit | UInt8(length))
        case ..<65536:
            written += self.writeInteger(maskBit | 126)
            written += self.writeInteger(UInt16(length))
        default:
            written += self.writeInteger(maskBit | 127)
            written += self.writeInteger(UInt64(length))
        }
        if let maskKey {
            written += self.writeBytes(maskKey)
        }
        return written
    }
}
