import WSCCore

/// Everything needed to open one client connection.
public struct ClientConfiguration: Sendable {
    /// Where to connect.
    public var url: WebSocketURL
    /// Extra request headers (`-H`), sent as given after the ones `wsc` sets.
    public var headers: [HeaderField] = []
    /// The `Origin` header (`-o`).
    public var origin: String?
    /// Subprotocols offered, in order of preference (`-s`).
    public var subprotocols: [String] = []
    /// Basic credentials (`--auth`, or `user:pass@` in the URL).
    public var basicAuth: (user: String, password: String)?
    /// A `Host` header that replaces the one derived from the URL (`--host`).
    public var hostOverride: String?
    /// The `User-Agent` header.
    public var userAgent: String = "wsc"
    /// How long the TCP connect, TLS and upgrade may take together.
    public var connectTimeout: Duration = .seconds(10)
    /// How long to wait for the close handshake to finish before dropping TCP.
    public var closeTimeout: Duration = .seconds(5)
    /// The largest message accepted, in bytes; bigger ones close the connection with 1009.
    public var maximumMessageSize: Int = 64 << 20
    /// TLS settings for `wss://`.
    public var tls = TLSOptions()
    /// Whether to report the handshake's request and response headers as events.
    public var traceHandshake = false
    /// Keepalive pings (`--ping-interval`, `--ping-timeout`), if any.
    public var keepalive: KeepaliveSettings?
    /// The local IP address to connect from (`--bind`); it also sets the family.
    public var localAddress: String?
    /// Reach the server through this proxy (`--proxy`, or the environment's).
    public var proxy: ProxySettings?
    /// Follow 301, 302, 303, 307 and 308 answers to the upgrade (`-L`).
    public var followRedirects = false
    /// How many redirects are followed at most (`--max-redirects`).
    public var maximumRedirects = 10
    /// Send every data message back as it arrived (`--echo`).
    public var echo = false
    /// Offer permessage-deflate (off with `--no-compress`).
    public var compression = true
    /// Give back messages the connection ended before writing, as an `unsent` event.
    ///
    /// Instead of an error: `--reconnect` sends them on the next connection.
    public var givesBackUnsent = false
    /// Connect over this family only (`-4`, `-6`).
    public var addressFamily: AddressFamily?
    /// Connect to this Unix domain socket instead of the URL's host and port.
    ///
    /// Set by `--unix-socket` or a `ws+unix://` URL; the URL still gives Host and path.
    public var unixSocketPath: String?

    public init(url: WebSocketURL) {
        self.url = url
        self.unixSocketPath = url.unixSocketPath
        if let user = url.user {
            self.basicAuth = (user, url.password ?? "")
        }
    }
}

/// TLS settings for `wss://`.
public struct TLSOptions: Sendable {
    /// A PEM file of CA certificates to trust besides the system's (`--ca`).
    public var caFile: String?
    /// Skip certificate and host name verification (`-n`, `-k`).
    public var skipVerification = false
    /// A PEM client certificate chain (`--cert`).
    public var certificateFile: String?
    /// The PEM private key for the client certificate (`--key`).
    public var privateKeyFile: String?

    public init() {}
}
