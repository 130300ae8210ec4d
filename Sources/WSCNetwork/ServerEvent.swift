import WSCCore

/// Something that happened on a ``WebSocketServer``.
public enum ServerEvent: Sendable {
    /// An event of one client: `.open` first, `.close` last, exactly once each.
    case client(ServerClient, ConnectionEvent)
    /// A connection that was answered with an HTTP error instead of an upgrade, or whose
    /// TLS handshake failed; the reason says which and why.
    case refused(remoteAddress: String, reason: String)
}

/// A client of ``WebSocketServer``: its short id (1, 2, …) and its connection.
public struct ServerClient: Sendable {
    /// Numbered from 1 in the order the upgrades were accepted.
    public let id: Int
    /// Send on it, ask its status, close it.
    public let connection: WebSocketConnection
}
