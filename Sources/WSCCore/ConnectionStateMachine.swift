/// The life of one connection, from the opening handshake to the end of TCP.
///
/// A pure value: each method is named for what happened and returns an action made for
/// that event (``UpgradeSucceededAction``, ``SendRequestedAction``, …), which the caller
/// carries out; no action lists what its event cannot lead to. It follows the browser's `readyState` (CONNECTING → OPEN →
/// CLOSING → CLOSED) and guarantees exactly one `close` event per connection.
public struct ConnectionStateMachine: Sendable {
    enum State: Sendable {
        case connecting
        case open
        case closing(Closing)
        case closed
    }

    /// What is known while the close handshake runs.
    struct Closing: Sendable {
        /// Who started the close.
        var initiator: CloseInitiator
        /// Whether our close frame went out (false when we abandoned a connection still opening).
        var closeSent: Bool
        /// The peer's close frame, once it arrived.
        var received: ReceivedClose?
    }

    /// The code and reason of a close frame the peer sent; `code` nil when the frame had none.
    struct ReceivedClose: Sendable {
        var code: CloseCode?
        var reason: String
    }

    private var state: State = .connecting
    /// Which end we are: a server ends TCP as soon as it has answered the peer's close.
    public let role: ConnectionRole

    public init(role: ConnectionRole = .client) {
        self.role = role
    }

    /// The browser API's `readyState`.
    public var readyState: ReadyState {
        switch self.state {
        case .connecting: .connecting
        case .open: .open
        case .closing: .closing
        case .closed: .closed
        }
    }
}

extension ConnectionStateMachine {
    /// The server accepted the upgrade and every handshake check passed.
    public mutating func upgradeSucceeded() -> UpgradeSucceededAction {
        switch self.state {
        case .connecting:
            self.state = .open
            return .fireOpen
        case .closing(let closing) where !closing.closeSent:
            // The user gave up while the handshake was finishing: leave without opening.
            return .closeChannel
        case .closed:
            return .closeChannel
        case .open, .closing:
            preconditionFailure("upgrade succeeded twice")
        }
    }

    /// The connection could not be made, or the handshake failed; the error says why.
    ///
    /// When a channel exists, the caller closes it and later reports `channelClosed()`,
    /// which then does nothing.
    public mutating func connectFailed(_ error: ConnectionError) -> ConnectFailedAction {
        switch self.state {
        case .connecting:
            self.state = .closed
            return .fireErrorAndClose(error, .abnormal(initiator: .transport))
        case .closing(let closing) where !closing.closeSent:
            self.state = .closed
            return .fireClose(.abnormal(initiator: closing.initiator))
        case .closed:
            return .none
        case .open, .closing:
            preconditionFailure("connect failure reported after the connection opened")
        }
    }

    /// The user wants to send a data message.
    public mutating func sendRequested() -> SendRequestedAction {
        switch self.state {
        case .connecting:
            return .queueMessage
        case .open:
            return .sendMessage
        case .closing:
            return .refuseMessage(ConnectionError(.input, "not sent: the connection is closing"))
        case .closed:
            return .refuseMessage(ConnectionError(.input, "not sent: the connection is closed"))
        }
    }

    /// The user (or end of input) asks to close with this code and reason.
    public mutating func closeRequested(code: CloseCode?, reason: String) -> CloseRequestedAction {
        switch self.state {
        case .connecting:
            self.state = .closing(Closing(initiator: .user, closeSent: false, received: nil))
            return .closeChannel
        case .open:
            self.state = .closing(Closing(initiator: .user, closeSent: true, received: nil))
            return .sendClose(code: code, reason: reason)
        case .closing, .closed:
            return .none
        }
    }

    /// A complete data message arrived.
    public mutating func messageReceived() -> MessageReceivedAction {
        switch self.state {
        case .open:
            return .deliverMessage
        case .closing(let closing):
            // After the user's close frame the peer may still send data it sent before
            // seeing it; after its own close frame it must not, and after we failed the
            // connection nothing more is processed.
            let stillListening = closing.initiator == .user && closing.closeSent && closing.received == nil
            return stillListening ? .deliverMessage : .dropMessage
        case .closed:
            return .dropMessage
        case .connecting:
            preconditionFailure("a data frame cannot arrive before the upgrade")
        }
    }

    /// A ping arrived.
    public mutating func pingReceived() -> PingReceivedAction {
        switch self.state {
        case .open:
            return .sendPong
        case .closing, .closed:
            return .none
        case .connecting:
            preconditionFailure("a ping cannot arrive before the upgrade")
        }
    }

    /// A close frame arrived, with its code (nil when the frame had none) and reason.
    ///
    /// The caller has checked the frame: a bad code, a bad reason or a one-byte payload
    /// is a `protocolViolated` instead.
    public mutating func closeFrameReceived(code: CloseCode?, reason: String) -> CloseFrameReceivedAction {
        switch self.state {
        case .open:
            self.state = .closing(
                Closing(initiator: .peer, closeSent: true, received: ReceivedClose(code: code, reason: reason))
            )
            switch self.role {
            case .client: return .sendClose(code: code, reason: "")
            case .server: return .answerCloseAndCloseChannel(code: code)
            }
        case .closing(var closing):
            guard closing.received == nil else {
                return .none
            }
            closing.received = ReceivedClose(code: code, reason: reason)
            self.state = .closing(closing)
            // The handshake is complete. A server ends TCP now; a client would wait for the
            // server to, but helps it along.
            return .closeChannel
        case .closed:
            return .none
        case .connecting:
            preconditionFailure("a close frame cannot arrive before the upgrade")
        }
    }

    /// The peer broke the protocol; the error says how and the code is what we answer with.
    public mutating func protocolViolated(_ error: ConnectionError, code: CloseCode) -> ProtocolViolatedAction {
        switch self.state {
        case .open:
            self.state = .closing(Closing(initiator: .protocolFailure, closeSent: true, received: nil))
            let reason = error.message.truncatedUTF8(toBytes: 123)
            switch self.role {
            case .client: return .failConnection(error, code: code, reason: reason)
            case .server: return .failConnectionAndCloseChannel(error, code: code, reason: reason)
            }
        case .closing:
            return .fireErrorAndCloseChannel(error)
        case .closed:
            return .none
        case .connecting:
            preconditionFailure("a protocol violation cannot happen before the upgrade")
        }
    }

    /// A keepalive ping went unanswered for the ping timeout: the peer is gone or stuck.
    ///
    /// We send 1011 and end TCP at once, as waiting for the answer of an unresponsive
    /// peer is pointless; the close event reports 1006, not clean.
    public mutating func keepaliveTimedOut(_ error: ConnectionError) -> KeepaliveTimedOutAction {
        switch self.state {
        case .open:
            self.state = .closing(Closing(initiator: .protocolFailure, closeSent: true, received: nil))
            return .failConnectionAndCloseChannel(error, code: .internalError, reason: "keepalive ping timeout")
        case .closing, .closed:
            // The close handshake has its own timer.
            return .none
        case .connecting:
            preconditionFailure("keepalive pings start once the connection is open")
        }
    }

    /// The close handshake took too long: give up on it.
    ///
    /// When our close went unanswered, the error (which says how long we waited) is
    /// reported, TCP ends, and the close event is 1006, not clean. When both close frames
    /// were exchanged and only the server's end of TCP is missing, a client ends TCP
    /// itself (RFC 6455, 7.1.1): the close was clean, and no error is reported.
    public mutating func closeTimedOut(_ error: ConnectionError) -> CloseTimedOutAction {
        switch self.state {
        case .closing(let closing) where closing.received != nil:
            return .closeChannel
        case .closing:
            return .fireErrorAndCloseChannel(error)
        case .connecting, .open, .closed:
            return .none
        }
    }

    /// The TCP connection ended (whoever ended it).
    public mutating func channelClosed() -> ChannelClosedAction {
        switch self.state {
        case .connecting:
            self.state = .closed
            return .fireErrorAndClose(
                ConnectionError(.handshake, "the server closed the connection during the opening handshake"),
                .abnormal(initiator: .transport)
            )
        case .open:
            self.state = .closed
            return .fireClose(.abnormal(initiator: .transport))
        case .closing(let closing):
            self.state = .closed
            guard closing.closeSent, let received = closing.received else {
                return .fireClose(.abnormal(initiator: closing.initiator))
            }
            return .fireClose(
                CloseInfo(
                    code: received.code ?? .noStatusReceived,
                    reason: received.reason,
                    wasClean: true,
                    initiator: closing.initiator
                )
            )
        case .closed:
            return .none
        }
    }
}
