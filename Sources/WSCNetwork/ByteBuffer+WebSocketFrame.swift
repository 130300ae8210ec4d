import NIOCore
import NIOWebSocket

extension ByteBuffer {
    /// Appends one whole WebSocket frame: its header, then the payload, masked when a key is given.
    ///
    /// The payload is copied and masked in one pass, 32 bytes at a time (eight for the tail),
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
        guard let maskKey else {
            return written + self.writeBytes(payload)
        }
        written += self.writeBytes(maskKey)
        let keyBytes = (maskKey[0], maskKey[1], maskKey[2], maskKey[3], maskKey[0], maskKey[1], maskKey[2], maskKey[3])
        let wideKey = withUnsafeBytes(of: keyBytes) { $0.loadUnaligned(as: UInt64.self) }
        let vectorKey = withUnsafeBytes(of: (wideKey, wideKey)) { $0.loadUnaligned(as: SIMD16<UInt8>.self) }
        written += self.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { target in
            var offset = 0
            while offset + 32 <= length {
                let low = payload.loadUnaligned(fromByteOffset: offset, as: SIMD16<UInt8>.self) ^ vectorKey
                let high = payload.loadUnaligned(fromByteOffset: offset + 16, as: SIMD16<UInt8>.self) ^ vectorKey
                target.storeBytes(of: low, toByteOffset: offset, as: SIMD16<UInt8>.self)
                target.storeBytes(of: high, toByteOffset: offset + 16, as: SIMD16<UInt8>.self)
                offset += 32
            }
            while offset + 8 <= length {
                let word = payload.loadUnaligned(fromByteOffset: offset, as: UInt64.self) ^ wideKey
                target.storeBytes(of: word, toByteOffset: offset, as: UInt64.self)
                offset += 8
            }
            while offset < length {
                target[offset] = payload[offset] ^ maskKey[offset & 3]
                offset += 1
            }
            return length
        }
        return written
    }
}
