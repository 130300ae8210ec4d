/// A WebSocket close status code (RFC 6455 section 7.4).
public struct CloseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16

    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    public init(_ rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// 1000: the purpose of the connection was fulfilled.
    public static let normalClosure = CloseCode(1000)
    /// 1001: an endpoint is going away (server shutdown, page left, SIGTERM).
    public static let goingAway = CloseCode(1001)
    /// 1002: the peer broke the protocol.
    public static let protocolError = CloseCode(1002)
    /// 1003: a data type the endpoint cannot accept.
    public static let unsupportedData = CloseCode(1003)
    /// 1005: the close frame had no status code. Never sent on the wire.
    public static let noStatusReceived = CloseCode(1005)
    /// 1006: the connection ended without a close handshake. Never sent on the wire.
    public static let abnormalClosure = CloseCode(1006)
    /// 1007: a text message was not valid UTF-8.
    public static let invalidPayloadData = CloseCode(1007)
    /// 1008: a message violated the endpoint's policy.
    public static let policyViolation = CloseCode(1008)
    /// 1009: a message was too big to process.
    public static let messageTooBig = CloseCode(1009)
    /// 1010: the server did not negotiate an extension the client needs.
    public static let mandatoryExtension = CloseCode(1010)
    /// 1011: the server hit an unexpected condition.
    public static let internalError = CloseCode(1011)
    /// 1012: the server is restarting; a client may connect again (IANA registry).
    public static let serviceRestart = CloseCode(1012)
    /// 1013: the server is overloaded; a client may try again later (IANA registry).
    public static let tryAgainLater = CloseCode(1013)

    /// Whether this code may appear in a close frame on the wire (RFC 6455 section 7.4.1/7.4.2).
    ///
    /// 1000–1003 and 1007–1011 are defined for use, 1012–1014 are registered with IANA,
    /// 3000–4999 belong to libraries and applications. Everything else is invalid,
    /// including 1004, 1005, 1006 and 1015, which are reserved.
    public var isValidOnTheWire: Bool {
        switch self.rawValue {
        case 1000...1003, 1007...1014, 3000...4999: true
        default: false
        }
    }

    /// A short name for the well-known codes, e.g. `normal closure`.
    public var name: String? {
        switch self.rawValue {
        case 1000: "normal closure"
        case 1001: "going away"
        case 1002: "protocol error"
        case 1003: "unsupported data"
        case 1005: "no status received"
        case 1006: "abnormal closure"
        case 1007: "invalid payload data"
        case 1008: "policy violation"
        case 1009: "message too big"
        case 1010: "mandatory extension"
        case 1011: "internal error"
        case 1012: "service restart"
        case 1013: "try again later"
        case 1014: "bad gateway"
        case 1015: "TLS handshake failure"
        default: nil
        }
    }

    public var description: String { String(self.rawValue) }
}
