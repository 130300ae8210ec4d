import NIOWebSocket

extension WebSocketMaskingKey {
    /// Writes `source` masked with this key to `target`, which may be the same memory.
    ///
    /// It works 32 bytes at a time (eight for the tail). `target` holds at least
    /// `source.count` bytes.
    func mask(_ source: UnsafeRawBufferPointer, into target: UnsafeMutableRawBufferPointer) {
        let length = source.count
        precondition(target.count >= length, "the masked payload does not fit")
        let keyBytes = (self[0], self[1], self[2], self[3], self[0], self[1], self[2], self[3])
        let wideKey = withUnsafeBytes(of: keyBytes) { $0.loadUnaligned(as: UInt64.self) }
        let vectorKey = withUnsafeBytes(of: (wideKey, wideKey)) { $0.loadUnaligned(as: SIMD16<UInt8>.self) }
        var offset = 0
        while offset + 32 <= length {
            let low = source.loadUnaligned(fromByteOffset: offset, as: SIMD16<UInt8>.self) ^ vectorKey
            let high = source.loadUnaligned(fromByteOffset: offset + 16, as: SIMD16<UInt8>.self) ^ vectorKey
            target.storeBytes(of: low, toByteOffset: offset, as: SIMD16<UInt8>.self)
            target.storeBytes(of: high, toByteOffset: offset + 16, as: SIMD16<UInt8>.self)
            offset += 32
        }
        while offset + 8 <= length {
            let word = source.loadUnaligned(fromByteOffset: offset, as: UInt64.self) ^ wideKey
            target.storeBytes(of: word, toByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        while offset < length {
            target[offset] = source[offset] ^ self[offset & 3]
            offset += 1
        }
    }
}
