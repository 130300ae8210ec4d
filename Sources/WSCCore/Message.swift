/// A complete WebSocket data message.
public enum Message: Hashable, Sendable {
    /// A text message: valid UTF-8.
    case text(String)
    /// A binary message: any bytes.
    case binary([UInt8])

    /// The number of payload bytes on the wire.
    public var byteCount: Int {
        switch self {
        case .text(let text): text.utf8.count
        case .binary(let bytes): bytes.count
        }
    }
}
