import WSCCore

/// What a connection's handler needs to know, whichever end it is.
struct ConnectionSettings: Sendable {
    /// Client (masks, waits for the server to end TCP) or server.
    var role: ConnectionRole
    /// The URL, or for a server the request target, shown by `/status` and the open event.
    var url: String
    /// The largest message accepted, in bytes; bigger ones close the connection with 1009.
    var maximumMessageSize: Int
    /// How long to wait for the close handshake to finish before dropping TCP.
    var closeTimeout: Duration
    /// Send every data message back as it arrived (`--echo`).
    var echo = false
    /// Keepalive pings (`--ping-interval`, `--ping-timeout`), if any.
    var keepalive: KeepaliveSettings?
    /// Give back messages the connection ended before writing, as an `unsent` event.
    ///
    /// For `--reconnect`, which sends them on the next connection.
    var givesBackUnsent = false
}

extension ClientConfiguration {
    /// The handler's share of the client configuration.
    var connectionSettings: ConnectionSettings {
        ConnectionSettings(
            role: .client,
            url: self.url.description,
            maximumMessageSize: self.maximumMessageSize,
            closeTimeout: self.closeTimeout,
            echo: self.echo,
            keepalive: self.keepalive,
            givesBackUnsent: self.givesBackUnsent
        )
    }
}
