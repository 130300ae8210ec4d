/// A proxy to reach the server through (`--proxy`, or curl's environment variables).
public struct ProxySettings: Hashable, Sendable, CustomStringConvertible {
    /// The kinds of proxy.
    public enum Kind: Hashable, Sendable {
        /// An HTTP proxy, asked with `CONNECT host:port` for a tunnel.
        case httpConnect
        /// A SOCKS5 proxy given the server's address, resolved here (`socks5://`).
        case socks5
        /// A SOCKS5 proxy given the server's name, which it resolves (`socks5h://`).
        case socks5h

        /// The URL scheme that names this kind.
        public var scheme: String {
            switch self {
            case .httpConnect: "http"
            case .socks5: "socks5"
            case .socks5h: "socks5h"
            }
        }
    }

    public var kind: Kind
    public var host: String
    public var port: Int
    /// Credentials for the proxy, from its URL.
    ///
    /// Basic `Proxy-Authorization` for HTTP, username/password (RFC 1929) for SOCKS5.
    public var user: String?
    public var password: String?

    /// Parses `http://`, `socks5://` or `socks5h://` then `[user:pass@]host[:port]`.
    ///
    /// The scheme may be left out (HTTP), and the port defaults to 1080, as in curl.
    public init(parsing text: String) throws(URLError) {
        var rest = Substring(text.trimmingASCIIWhitespace())
        var kind = Kind.httpConnect
        if let schemeEnd = rest.firstRange(ofUTF8: "://") {
            let scheme = rest[..<schemeEnd.lowerBound].lowercased()
            switch scheme {
            case "http":
                kind = .httpConnect
            case "socks5":
                kind = .socks5
            case "socks5h":
                kind = .socks5h
            case "socks4", "socks4a", "https":
                throw URLError("\(scheme):// proxies are not supported (use http://, socks5:// or socks5h://)")
            default:
                throw URLError("unsupported proxy scheme '\(scheme)://' (use http://, socks5:// or socks5h://)")
            }
            rest = rest[schemeEnd.upperBound...]
        }
        if let slash = rest.firstIndex(of: "/") {
            rest = rest[..<slash]
        }
        guard !rest.isEmpty else {
            throw URLError("the proxy has no host")
        }
        // The authority parses as a URL's does; the port is explicit when the two schemes'
        // defaults do not show through.
        let url = try WebSocketURL(parsing: "ws://" + rest)
        let secure = try WebSocketURL(parsing: "wss://" + rest)
        self.kind = kind
        self.host = url.host
        self.port = url.port == secure.port ? url.port : Self.defaultPort
        self.user = url.user
        self.password = url.password
    }

    /// curl's default port for a proxy, HTTP or SOCKS.
    public static let defaultPort = 1080

    /// `scheme://host:port` (without credentials).
    public var description: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return "\(self.kind.scheme)://\(host):\(self.port)"
    }

    /// The proxy curl would use for this URL, from these environment variables.
    ///
    /// `ws://` takes `http_proxy` (lower case only, as curl), `wss://` takes `https_proxy`
    /// or `HTTPS_PROXY`; both fall back to `all_proxy` or `ALL_PROXY`. A host matched by
    /// `no_proxy` or `NO_PROXY` (`*`, a name, a domain suffix, an IP) goes direct, as do a
    /// Unix socket and a loopback host (`localhost`, `127.x.x.x`, `::1`, as Go's HTTP client
    /// does). Returns nil to go direct.
    public static func fromEnvironment(
        _ environment: [String: String],
        for url: WebSocketURL
    ) throws(URLError) -> ProxySettings? {
        guard url.unixSocketPath == nil, !Self.isLoopback(url.host) else {
            return nil
        }
        let names =
            url.isSecure
            ? ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] : ["http_proxy", "all_proxy", "ALL_PROXY"]
        guard let value = names.lazy.compactMap({ environment[$0] }).first(where: { !$0.isEmpty }) else {
            return nil
        }
        let noProxy = environment["no_proxy"] ?? environment["NO_PROXY"] ?? ""
        if Self.bypasses(host: url.host, noProxy: noProxy) {
            return nil
        }
        return try ProxySettings(parsing: value)
    }

    /// Whether the host is this machine: `localhost` (and its subdomains), 127.0.0.0/8, `::1`.
    static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased()
        return host == "localhost" || host.hasSuffix(".localhost") || host == "::1"
            || (WebSocketURL.isIPv4Address(host) && host.hasPrefix("127."))
    }

    /// Whether `no_proxy` lets this host go direct.
    public static func bypasses(host: String, noProxy: String) -> Bool {
        let host = host.lowercased()
        for entry in noProxy.split(separator: ",") {
            var pattern = entry.trimmingASCIIWhitespace().lowercased()
            if pattern == "*" {
                return true
            }
            if pattern.hasPrefix("[") && pattern.hasSuffix("]") {
                pattern = String(pattern.dropFirst().dropLast())
            }
            while pattern.hasPrefix(".") {
                pattern.removeFirst()
            }
            guard !pattern.isEmpty else {
                continue
            }
            if host == pattern || host.hasSuffix("." + pattern) {
                return true
            }
        }
        return false
    }
}
