/// The state of a WebSocket connection, numbered as in the browser API's `readyState`.
public enum ReadyState: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// The opening handshake has not finished yet.
    case connecting = 0
    /// The connection is open: messages can be sent and received.
    case open = 1
    /// A close handshake is under way.
    case closing = 2
    /// The connection is closed or could not be opened.
    case closed = 3

    /// The name used by the browser API, e.g. `OPEN`.
    public var name: String {
        switch self {
        case .connecting: "CONNECTING"
        case .open: "OPEN"
        case .closing: "CLOSING"
        case .closed: "CLOSED"
        }
    }

    public var description: String { "\(self.name) (\(self.rawValue))" }
}
