/// An `error` event: what went wrong and why, and what kind of failure it was.
public struct ConnectionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure; it decides the exit status.
    public var kind: Kind
    /// A sentence for the user: what happened and why.
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The kinds of failure, from the connect attempt to the user's own input.
    public enum Kind: Hashable, Sendable {
        /// DNS, refused, unreachable, connect timeout: no connection was made.
        case connect
        /// The TLS handshake failed (certificate, host name, protocol).
        case tls
        /// The server answered the upgrade request with something other than 101.
        case rejected(UpgradeRejection)
        /// The server's 101 answer broke the handshake rules.
        case handshake
        /// The peer broke the WebSocket protocol after the handshake.
        case protocolViolation
        /// The user's input could not be used (bad JSON, unreadable file, not connected).
        case input
        /// A time limit ran out.
        case timeout
    }

    public var description: String { self.message }
}

/// The server's answer to an upgrade request it refused: what a debugger needs most.
public struct UpgradeRejection: Hashable, Sendable {
    /// The HTTP status code, e.g. 403.
    public var status: Int
    /// The status line as received, e.g. `HTTP/1.1 403 Forbidden`.
    public var statusLine: String
    /// The response headers, in order.
    public var headers: [HeaderField]
    /// The first bytes of the response body (at most `bodyLimit`).
    public var body: [UInt8]
    /// True when the body was longer than what is kept.
    public var bodyTruncated: Bool

    /// How much of a refusal's body is kept: 4 KiB.
    public static let bodyLimit = 4096

    public init(status: Int, statusLine: String, headers: [HeaderField], body: [UInt8], bodyTruncated: Bool) {
        self.status = status
        self.statusLine = statusLine
        self.headers = headers
        self.body = body
        self.bodyTruncated = bodyTruncated
    }
}

/// One HTTP header field.
public struct HeaderField: Hashable, Sendable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

extension ConnectionError {
    /// The error `--timeout` reports when it runs out.
    public static func timeLimit(_ limit: Duration) -> ConnectionError {
        let (seconds, attoseconds) = limit.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return ConnectionError(.timeout, "timed out: --timeout of \(milliseconds) ms ran out")
    }
}
