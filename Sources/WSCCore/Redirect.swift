/// Following redirects of the opening handshake (`-L`, `--max-redirects`).
public enum Redirect {
    /// The statuses that are followed: 301, 302, 303, 307, 308.
    public static let statuses: Set<Int> = [301, 302, 303, 307, 308]

    /// The `Location` of a refused upgrade, when it is a redirect that can be followed.
    public static func location(of rejection: UpgradeRejection) -> String? {
        guard Self.statuses.contains(rejection.status) else {
            return nil
        }
        return rejection.headers.first { $0.name.lowercased() == "location" }?.value
    }

    /// The URL a `Location` points to, resolved against the URL that answered.
    ///
    /// `http://` and `https://` become `ws://` and `wss://`; a path or a relative
    /// reference keeps the scheme, host, port (or Unix socket) of `base`. A redirect
    /// from `wss://` to `ws://` is refused: following it would drop TLS, and send what
    /// comes next in clear text.
    public static func target(of location: String, from base: WebSocketURL) throws(URLError) -> WebSocketURL {
        let target = try Self.resolve(location, against: base)
        guard target.isSecure || !base.isSecure else {
            throw URLError("it leads from wss:// to ws://, which would drop TLS")
        }
        return target
    }

    /// `location` resolved against `base`, whatever its scheme.
    private static func resolve(_ location: String, against base: WebSocketURL) throws(URLError) -> WebSocketURL {
        let trimmed = location.trimmingASCIIWhitespace()
        if let schemeEnd = trimmed.firstRange(ofUTF8: "://") {
            let scheme = trimmed[..<schemeEnd.lowerBound].lowercased()
            let rest = trimmed[schemeEnd.upperBound...]
            switch scheme {
            case "http": return try WebSocketURL(parsing: "ws://" + rest)
            case "https": return try WebSocketURL(parsing: "wss://" + rest)
            default: return try WebSocketURL(parsing: String(trimmed))
            }
        }
        if trimmed.hasPrefix("//") {
            return try WebSocketURL(parsing: (base.isSecure ? "wss:" : "ws:") + trimmed)
        }
        var target = base
        if trimmed.hasPrefix("/") {
            target.requestTarget = String(trimmed)
        } else {
            let path = base.requestTarget.prefix(while: { $0 != "?" })
            let directory = path.lastIndex(of: "/").map { path[...$0] } ?? "/"
            target.requestTarget = String(directory) + trimmed
        }
        guard !target.requestTarget.contains("#") else {
            throw URLError("a WebSocket URL cannot have a fragment")
        }
        return target
    }

    /// Whether credentials may follow a redirect: only to the same origin.
    ///
    /// Credentials are Basic auth and the `Authorization` and `Cookie` headers; the same
    /// origin is the same scheme, host and port (or Unix socket).
    public static func keepsCredentials(from base: WebSocketURL, to target: WebSocketURL) -> Bool {
        base.isSecure == target.isSecure && base.host.lowercased() == target.host.lowercased()
            && base.port == target.port
            && base.unixSocketPath == target.unixSocketPath
    }
}
