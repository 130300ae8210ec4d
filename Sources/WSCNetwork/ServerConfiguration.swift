import WSCCore

/// Everything `wsc --listen` needs to serve.
public struct ServerConfiguration: Sendable {
    /// The address to listen on (`127.0.0.1` unless given; `0.0.0.0` or `::` to expose).
    public var host: String
    /// The port; 0 lets the system pick one (``WebSocketServer/port`` tells which).
    public var port: Int
    /// Listen on this Unix domain socket instead of `host` and `port` (replacing a stale one).
    public var unixSocketPath: String?
    /// Send every data message back to its sender as it arrived (`--echo`).
    public var echo = false
    /// Which Origins and subprotocols are accepted (`--origin`, `--subprotocol`).
    public var policy = ServerHandshakePolicy()
    /// Headers added to every `101 Switching Protocols` answer (`-H`).
    public var responseHeaders: [HeaderField] = []
    /// Serve `wss://` with this certificate (`--cert`, `--key`).
    ///
    /// With a CA file (`--ca`), clients must present a certificate it signed.
    public var tls: TLSOptions?
    /// The largest message accepted, in bytes; bigger ones close the connection with 1009.
    public var maximumMessageSize: Int = 64 << 20
    /// How long to wait for a client to answer our close before dropping TCP.
    public var closeTimeout: Duration = .seconds(5)
    /// Keepalive pings to each client (`--ping-interval`, `--ping-timeout`), if any.
    public var keepalive: KeepaliveSettings?

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
}
