/// Standard base64 (RFC 4648, with padding), without Foundation.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The base64 text of these bytes.
    public static func encode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = iterator.next()
            let value = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            out.append(Self.alphabet[Int(value >> 18 & 0x3F)])
            out.append(Self.alphabet[Int(value >> 12 & 0x3F)])
            out.append(second == nil ? UInt8(ascii: "=") : Self.alphabet[Int(value >> 6 & 0x3F)])
            out.append(third == nil ? UInt8(ascii: "=") : Self.alphabet[Int(value & 0x3F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
