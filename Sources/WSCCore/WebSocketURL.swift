/// A parsed `ws://`, `wss://` or `ws+unix://` URL, with the path and query kept byte for byte.
public struct WebSocketURL: Hashable, Sendable, CustomStringConvertible {
    /// True for `wss://`.
    public var isSecure: Bool
    /// The host without brackets: a name, an IPv4 address or an IPv6 address.
    public var host: String
    /// The port, explicit or the scheme's default (80 or 443).
    public var port: Int
    /// The request target: path and query exactly as given; `/` when the URL had none.
    public var requestTarget: String
    /// The user name from `user:pass@`, percent-decoded.
    public var user: String?
    /// The password from `user:pass@`, percent-decoded.
    public var password: String?
    /// The Unix domain socket of a `ws+unix://` URL (connect there; the host is `localhost`).
    public var unixSocketPath: String?

    /// Parses a URL; one without a scheme is taken as `ws://`.
    ///
    /// `ws+unix:///run/app.sock:/chat` names a Unix domain socket and, after its colon,
    /// the request target.
    public init(parsing text: String) throws(URLError) {
        var rest = Substring(text.trimmingASCIIWhitespace())
        guard !rest.isEmpty else {
            throw URLError("the URL is empty")
        }
        // The parsing below goes by Characters: a delimiter fused into one Character with
        // a combining mark (or a prepended one) would not be seen, and the URL would split
        // wrongly. No sensible URL has that.
        guard !rest.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw URLError("the URL contains a control character (a line break, tab or NUL)")
        }
        for character in rest where character.unicodeScalars.count > 1 {
            if let delimiter = character.unicodeScalars.first(where: { Self.delimiters.contains($0) }) {
                throw URLError("a combining character is joined to '\(delimiter)'")
            }
        }
        if let schemeEnd = rest.firstRange(ofUTF8: "://") {
            let scheme = rest[..<schemeEnd.lowerBound].lowercased()
            switch scheme {
            case "ws": self.isSecure = false
            case "wss": self.isSecure = true
            case "ws+unix":
                self = try Self(unixSocketURL: rest[schemeEnd.upperBound...])
                return
            default: throw URLError("unsupported scheme '\(scheme)://' (use ws://, wss:// or ws+unix://)")
            }
            rest = rest[schemeEnd.upperBound...]
        } else {
            self.isSecure = false
        }
        if let hash = rest.firstIndex(of: "#") {
            guard rest[hash...].count == 1 else {
                throw URLError("a WebSocket URL cannot have a fragment ('\(rest[hash...])')")
            }
            rest = rest[..<hash]
        }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        let target = rest[authorityEnd...]
        self.requestTarget = Self.encoded(target.isEmpty ? "/" : (target.first == "?" ? "/" + target : String(target)))

        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                self.user = try Self.percentDecoded(userInfo[..<colon])
                self.password = try Self.percentDecoded(userInfo[userInfo.index(after: colon)...])
            } else {
                self.user = try Self.percentDecoded(userInfo)
                self.password = nil
            }
        } else {
            self.user = nil
            self.password = nil
        }

        let portText: Substring?
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else {
                throw URLError("missing ']' after the IPv6 address")
            }
            self.host = String(authority[authority.index(after: authority.startIndex)..<close])
            guard Self.isIPv6Address(self.host) else {
                throw URLError("'\(self.host)' is not an IPv6 address")
            }
            let afterBracket = authority[authority.index(after: close)...]
            if afterBracket.isEmpty {
                portText = nil
            } else if afterBracket.first == ":" {
                portText = afterBracket.dropFirst()
            } else {
                throw URLError("unexpected '\(afterBracket)' after the IPv6 address")
            }
        } else {
            let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else {
                throw URLError("an IPv6 address in a URL must be in brackets, as in ws://[::1]:8080/")
            }
            self.host = String(parts[0])
            portText = parts.count == 2 ? parts[1] : nil
            guard !self.host.isEmpty else {
                throw URLError("the URL has no host")
            }
            // A host starting with a combining mark, or ending with a prepended one, would
            // fuse with the '/' or ':' next to it.
            guard self.host.utf8.allSatisfy(Self.isHostByte), ("/" + self.host + ":").count == self.host.count + 2
            else {
                throw URLError("'\(self.host)' is not a valid host name")
            }
        }
        if let portText {
            guard let port = Int(portText), (1...65535).contains(port),
                portText.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 })
            else {
                throw URLError("'\(portText)' is not a valid port (1-65535)")
            }
            self.port = port
        } else {
            self.port = self.isSecure ? 443 : 80
        }
    }

    /// `ws+unix://` + `/path/to.sock:/target`: the socket path, then the request target.
    private init(unixSocketURL rest: Substring) throws(URLError) {
        let colon = rest.firstIndex(of: ":") ?? rest.endIndex
        let path = String(rest[..<colon])
        guard path.hasPrefix("/") else {
            throw URLError("a ws+unix:// URL names an absolute socket path, as in ws+unix:///run/app.sock:/chat")
        }
        let target = colon == rest.endIndex ? "" : rest[rest.index(after: colon)...]
        guard !target.contains("#") else {
            throw URLError("a WebSocket URL cannot have a fragment")
        }
        self.isSecure = false
        self.host = "localhost"
        self.port = 80
        self.requestTarget = Self.encoded(target.isEmpty ? "/" : (target.first == "/" ? String(target) : "/" + target))
        self.user = nil
        self.password = nil
        self.unixSocketPath = path
    }

    /// The scheme's default port: 443 for wss, 80 for ws.
    public var defaultPort: Int { self.isSecure ? 443 : 80 }

    /// Whether the host is an IP address rather than a name (no SNI is sent for these).
    public var hostIsIPAddress: Bool {
        Self.isIPv6Address(self.host) || Self.isIPv4Address(self.host)
    }

    /// The `Host` header: the host (bracketed if IPv6), with the port when not the default.
    public var hostHeader: String {
        let bracketed = Self.isIPv6Address(self.host) ? "[\(self.host)]" : self.host
        return self.port == self.defaultPort ? bracketed : "\(bracketed):\(self.port)"
    }

    /// Host and port, always with the port (bracketed if IPv6): where a connection goes, for messages.
    public var hostAndPort: String {
        let bracketed = Self.isIPv6Address(self.host) ? "[\(self.host)]" : self.host
        return "\(bracketed):\(self.port)"
    }

    /// The URL without credentials, e.g. `ws://[::1]:8080/chat?room=1`.
    public var description: String {
        if let unixSocketPath = self.unixSocketPath {
            return "ws+unix://\(unixSocketPath):\(self.requestTarget)"
        }
        return "\(self.isSecure ? "wss" : "ws")://\(self.hostHeader)\(self.requestTarget)"
    }

    /// The request target as it may go on the wire: spaces, quotes, angle brackets,
    /// backquotes and non-ASCII characters percent-encoded (as browsers do); the rest,
    /// `%XX` escapes included, as given.
    static func encoded(_ target: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(target.utf8.count)
        for byte in target.utf8 {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\""), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "`"),
                0x80...0xFF:
                bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            default:
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The characters that split a URL into its parts.
    private static let delimiters: Set<Unicode.Scalar> = [":", "/", "?", "#", "[", "]", "@", "%"]

    private static func isHostByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "%"), 0x80...0xFF:
            true
        default:
            false
        }
    }

    static func isIPv4Address(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                !part.isEmpty && part.count <= 3 && part.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
                    && (Int(part) ?? 256) <= 255
            }
    }

    static func isIPv6Address(_ text: String) -> Bool {
        // Hex groups and colons, optionally an IPv4 tail and a %zone; at least two colons.
        let address = text.split(separator: "%", maxSplits: 1).first.map(String.init) ?? ""
        guard address.filter({ $0 == ":" }).count >= 2 else {
            return false
        }
        return address.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
                UInt8(ascii: "A")...UInt8(ascii: "F"), UInt8(ascii: ":"), UInt8(ascii: "."):
                true
            default:
                false
            }
        }
    }

    private static func percentDecoded(_ text: Substring) throws(URLError) -> String {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue)
            else {
                throw URLError("bad percent escape in the URL's user information")
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw URLError("the URL's user information is not valid UTF-8")
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Why a URL was refused.
public struct URLError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { "invalid URL: \(self.message)" }
}

extension StringProtocol {
    /// The text without leading and trailing ASCII spaces, tabs and line breaks.
    public func trimmingASCIIWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        let text = Substring(self)
        guard let start = text.firstIndex(where: { !isSpace($0) }),
            let end = text.lastIndex(where: { !isSpace($0) })
        else {
            return ""
        }
        return text[start...end]
    }
}
