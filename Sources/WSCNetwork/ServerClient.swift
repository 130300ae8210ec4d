/// A client of ``WebSocketServer``: its short id (1, 2, …) and its connection.
public struct ServerClient: Sendable {
    /// Numbered from 1 in the order the upgrades were accepted.
    public let id: Int
    /// Send on it, ask its status, close it.
    public let connection: WebSocketConnection
}
