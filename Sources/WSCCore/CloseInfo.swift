/// What the `close` event reports: the code, the reason and whether the close handshake completed.
public struct CloseInfo: Hashable, Sendable {
    /// The close code: the peer's, or 1005 (no code in its close frame), or 1006 (no close handshake).
    public var code: CloseCode
    /// The peer's close reason, possibly empty.
    public var reason: String
    /// True when both close frames were exchanged before the TCP connection ended.
    public var wasClean: Bool
    /// Which side started the close handshake, if one was started.
    public var initiator: CloseInitiator

    public init(code: CloseCode, reason: String, wasClean: Bool, initiator: CloseInitiator) {
        self.code = code
        self.reason = reason
        self.wasClean = wasClean
        self.initiator = initiator
    }

    /// The close of a connection that ended without a close handshake (1006).
    public static func abnormal(initiator: CloseInitiator) -> CloseInfo {
        CloseInfo(code: .abnormalClosure, reason: "", wasClean: false, initiator: initiator)
    }
}

/// Who started the close of a connection.
public enum CloseInitiator: Hashable, Sendable {
    /// The user asked for it (Ctrl-D, `/close`, `/quit`, end of input).
    case user
    /// This client failed the connection because the peer broke the protocol.
    case protocolFailure
    /// The peer sent the first close frame.
    case peer
    /// Nobody: the TCP connection ended, or never came up.
    case transport
}
