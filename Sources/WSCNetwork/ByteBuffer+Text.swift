import NIOCore

extension ByteBuffer {
    /// The readable bytes as a string, or nil when they are not valid UTF-8.
    ///
    /// Text that is all ASCII (most of it, in practice) is recognised eight bytes at a
    /// time and decoded on the fast path; anything else goes through the full validation.
    func validatedUTF8Text() -> String? {
        self.withUnsafeReadableBytes { raw in
            let bytes = raw.assumingMemoryBound(to: UInt8.self)
            if Self.isASCII(raw) {
                return String(decoding: bytes, as: UTF8.self)
            }
            return String(validating: bytes, as: UTF8.self)
        }
    }

    private static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        var high: UInt64 = 0
        while offset + 8 <= bytes.count {
            high |= bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        while offset < bytes.count {
            high |= UInt64(bytes[offset])
            offset += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }
}
