/// Which end of a connection `wsc` is: the client that connected, or the server that accepted.
///
/// The role decides who masks frames (clients do, servers must not) and who ends TCP after
/// the close handshake (the server).
public enum ConnectionRole: Hashable, Sendable {
    /// `wsc URL`: frames we send are masked; the server's must not be.
    case client
    /// `wsc --listen`: frames we send are not masked; the client's must be.
    case server
}
