import WSCCore

/// Something that happened on a ``WebSocketServer``.
public enum ServerEvent: Sendable {
    /// An event of one client: `.open` first, `.close` last, exactly once each.
    case client(ServerClient, ConnectionEvent)
    /// A connection that was refused.
    ///
    /// It was answered with an HTTP error instead of an upgrade, or its TLS handshake failed; the
    /// reason says which and why.
    case refused(remoteAddress: String, reason: String)
}
