/// The length fields of a WebSocket frame header (RFC 6455 5.2), read from its first bytes.
public struct FrameHeader: Equatable, Sendable {
    /// The header's size in bytes: 2 to 14, with the extended length and the masking key.
    public var size: Int
    /// The payload length the header announces.
    public var payloadLength: UInt64

    /// The longest a header can be.
    public static let maximumSize = 14

    public init(size: Int, payloadLength: UInt64) {
        self.size = size
        self.payloadLength = payloadLength
    }

    /// Reads the header at the start of `bytes`; nil while not all of it is there.
    ///
    /// Inlinable: it runs for every frame that arrives, and is specialized for the caller's
    /// collection instead of going through its witnesses.
    @inlinable
    public init?<Bytes: Collection<UInt8>>(parsing bytes: Bytes) {
        var index = bytes.startIndex
        guard index != bytes.endIndex else {
            return nil
        }
        index = bytes.index(after: index)
        guard index != bytes.endIndex else {
            return nil
        }
        let second = bytes[index]
        index = bytes.index(after: index)
        let masked = second & 0x80 != 0
        let shortLength = second & 0x7F
        let extendedSize = shortLength == 126 ? 2 : shortLength == 127 ? 8 : 0
        let size = 2 + extendedSize + (masked ? 4 : 0)
        guard bytes.count >= size else {
            return nil
        }
        var length = UInt64(shortLength)
        if extendedSize > 0 {
            length = 0
            for _ in 0..<extendedSize {
                length = length << 8 | UInt64(bytes[index])
                index = bytes.index(after: index)
            }
        }
        self.init(size: size, payloadLength: length)
    }
}
