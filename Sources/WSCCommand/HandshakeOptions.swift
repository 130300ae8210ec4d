import ArgumentParser
import WSCCore
import WSCNetwork

/// Options that shape the opening handshake (named as in wscat).
struct HandshakeOptions: ParsableArguments {
    @Option(
        name: [.customShort("H"), .long],
        help: ArgumentHelp(
            "Add a request header (repeatable); with --listen, a header of every 101 answer.",
            valueName: "K: V"
        )
    )
    var header: [String] = []

    @Option(
        name: [.customShort("o"), .long],
        help: "Set the Origin header; with --listen, an Origin to accept (repeatable; others get 403)."
    )
    var origin: [String] = []

    @Option(
        name: [.customShort("s"), .long],
        help: "Offer a subprotocol (repeatable, in order of preference); with --listen, one to accept."
    )
    var subprotocol: [String] = []

    @Option(
        help: ArgumentHelp("Send Basic credentials (also taken from user:pass@ in the URL).", valueName: "user:pass")
    )
    var auth: String?

    @Option(help: "Send this Host header instead of the URL's host.")
    var host: String?

    @Option(help: ArgumentHelp("Set the User-Agent header (default: wsc/VERSION).", valueName: "text"))
    var userAgent: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Give up connecting (TCP, TLS and upgrade) after this long (default: 10).",
            valueName: "seconds"
        )
    )
    var connectTimeout: Double?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Drop the connection if the close handshake takes longer.", valueName: "seconds")
    )
    var closeTimeout: Double = 5

    @Option(
        help: ArgumentHelp(
            "Connect through this proxy: http:// (CONNECT), socks5:// (resolve here) or socks5h:// (resolve at the proxy), e.g. socks5h://user:pass@proxy:1080.",
            valueName: "url"
        )
    )
    var proxy: String?

    @Flag(help: "Ignore the proxy environment variables (http_proxy, https_proxy, all_proxy).")
    var noProxy = false

    @Flag(
        help:
            "Connect again after a dropped connection or a failed connect, with backoff; what is sent meanwhile waits."
    )
    var reconnect = false

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("With --reconnect: the longest wait between attempts (default: 30).", valueName: "seconds")
    )
    var reconnectMax: Double?

    @Flag(help: "Do not offer permessage-deflate compression (with --listen: do not accept it).")
    var noCompress = false

    @Flag(
        name: [.customShort("L"), .customLong("location")],
        help: "Follow redirects (301, 302, 303, 307, 308) of the upgrade request."
    )
    var followRedirects = false

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("With -L: follow at most this many redirects (default: 10).", valueName: "n")
    )
    var maxRedirects: Int?

    @Option(
        help: ArgumentHelp(
            "Connect to this Unix domain socket; the URL still gives Host and path (as curl).",
            valueName: "path"
        )
    )
    var unixSocket: String?

    @Option(
        help: ArgumentHelp("Connect from this local IP address (which also picks the family).", valueName: "address")
    )
    var bind: String?

    @Flag(name: .customShort("4"), help: "Connect over IPv4 only.")
    var ipv4 = false

    @Flag(name: .customShort("6"), help: "Connect over IPv6 only.")
    var ipv6 = false

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Send a keepalive ping this often; no pong in time closes with 1011.", valueName: "seconds")
    )
    var pingInterval: Double?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "With --ping-interval: how long a ping may wait for its pong (default: 20).",
            valueName: "seconds"
        )
    )
    var pingTimeout: Double?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Refuse messages bigger than this: incoming ones close with 1009, longer input lines are not sent; K, M, G suffixes allowed.",
            valueName: "bytes"
        )
    )
    var maxMessageSize: String = "64M"

    @Flag(
        name: [.customShort("v"), .long],
        help: "Print the handshake's request and response headers (secrets redacted)."
    )
    var verbose = false

    func validate() throws {
        for header in self.header {
            _ = try Self.parseHeader(header)
        }
        if let auth, !auth.contains(":") {
            throw ValidationError("--auth takes user:pass")
        }
        try Seconds.check(self.connectTimeout, option: "--connect-timeout")
        try Seconds.check(self.closeTimeout, option: "--close-timeout")
        _ = try Self.parseSize(self.maxMessageSize)
        try Seconds.check(self.pingInterval, option: "--ping-interval")
        try Seconds.check(self.pingTimeout, option: "--ping-timeout")
        if self.pingTimeout != nil, self.pingInterval == nil {
            throw ValidationError("--ping-timeout goes with --ping-interval")
        }
        if let reconnectMax = self.reconnectMax {
            guard self.reconnect else {
                throw ValidationError("--reconnect-max goes with --reconnect")
            }
            try Seconds.check(reconnectMax, option: "--reconnect-max", least: 0.1, leastText: "0.1")
        }
        if let maxRedirects = self.maxRedirects, maxRedirects < 0 {
            throw ValidationError("--max-redirects takes 0 or more")
        }
        if self.maxRedirects != nil, !self.followRedirects {
            throw ValidationError("--max-redirects goes with -L")
        }
        if let proxy = self.proxy {
            do {
                _ = try ProxySettings(parsing: proxy)
            } catch {
                throw ValidationError("--proxy: \(error)")
            }
            if self.noProxy {
                throw ValidationError("--proxy and --no-proxy do not go together")
            }
            if self.unixSocket != nil || self.bind != nil || self.ipv4 || self.ipv6 {
                throw ValidationError("--proxy does not go with --unix-socket, --bind, -4 or -6")
            }
        }
        if self.unixSocket != nil, self.bind != nil || self.ipv4 || self.ipv6 {
            throw ValidationError("--unix-socket does not go with --bind, -4 or -6")
        }
        if self.ipv4, self.ipv6 {
            throw ValidationError("-4 and -6 do not go together")
        }
        if let bind = self.bind {
            let isIPv4 =
                bind.split(separator: ".", omittingEmptySubsequences: false).count == 4
                && bind.allSatisfy { $0.isNumber || $0 == "." }
            let isIPv6 = bind.contains(":") && bind.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
            guard isIPv4 || isIPv6 else {
                throw ValidationError("--bind takes an IP address, e.g. 127.0.0.2 or ::1")
            }
            if (self.ipv4 && !isIPv4) || (self.ipv6 && !isIPv6) {
                throw ValidationError("--bind \(bind) is not of the family -\(self.ipv4 ? 4 : 6) asks for")
            }
        }
    }

    /// The family of `-4` or `-6`, if given.
    var addressFamily: AddressFamily? {
        self.ipv4 ? .ipv4 : self.ipv6 ? .ipv6 : nil
    }

    /// The keepalive of `--ping-interval` and `--ping-timeout`, if asked for.
    var keepalive: KeepaliveSettings? {
        self.pingInterval.map { interval in
            KeepaliveSettings(interval: Seconds.duration(interval), timeout: Seconds.duration(self.pingTimeout ?? 20))
        }
    }

    /// Splits `Name: value` into a header field.
    static func parseHeader(_ text: String) throws -> HeaderField {
        do {
            return try HeaderField(parsing: text)
        } catch {
            throw ValidationError(error.message)
        }
    }

    /// Reads `1048576`, `512K`, `64M`, `1G` (powers of 1024).
    static func parseSize(_ text: String) throws -> Int {
        let multipliers: [Character: Int] = [
            "K": 1 << 10, "k": 1 << 10, "M": 1 << 20, "m": 1 << 20, "G": 1 << 30, "g": 1 << 30,
        ]
        var digits = Substring(text)
        var multiplier = 1
        if let last = digits.last, let factor = multipliers[last] {
            multiplier = factor
            digits = digits.dropLast()
        }
        guard let value = Int(digits), value > 0, value <= Int(UInt32.max) / multiplier * 4 else {
            throw ValidationError("'\(text)' is not a size (e.g. 1048576, 512K, 64M, 1G)")
        }
        return value * multiplier
    }
}
