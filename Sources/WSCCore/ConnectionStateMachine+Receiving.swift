/// The events of frames from the peer, once the upgrade is complete.
///
/// NIO holds back what arrives while the pipeline is rebuilt (the `upgraded` state), so
/// no frame is read before the connection is open.
extension ConnectionStateMachine {
    /// A data frame arrived (a whole message, or a fragment of one).
    public mutating func dataFrameReceived() -> DataFrameReceivedAction {
        switch self.state {
        case .open:
            return .assembleFrame
        case .closing(let closing):
            // As for messages (see `messageReceived()`): only after the user's close frame,
            // before the peer's, is what comes still read.
            let stillListening = closing.initiator == .user && closing.closeSent && closing.received == nil
            return stillListening ? .assembleFrame : .ignoreFrame
        case .closed:
            return .ignoreFrame
        case .connecting, .upgraded:
            preconditionFailure("a data frame cannot arrive before the upgrade completes")
        }
    }

    /// A complete data message arrived.
    public mutating func messageReceived() -> MessageReceivedAction {
        switch self.state {
        case .open:
            return self.echoes ? .deliverAndEchoMessage : .deliverMessage
        case .closing(let closing):
            // After the user's close frame the peer may still send data it sent before
            // seeing it; after its own close frame it must not, and after we failed the
            // connection nothing more is processed.
            let stillListening = closing.initiator == .user && closing.closeSent && closing.received == nil
            return stillListening ? .deliverMessage : .dropMessage
        case .closed:
            return .dropMessage
        case .connecting, .upgraded:
            preconditionFailure("a data frame cannot arrive before the upgrade completes")
        }
    }

    /// A ping arrived.
    public mutating func pingReceived() -> PingReceivedAction {
        switch self.state {
        case .open:
            return .sendPong
        case .closing, .closed:
            return .none
        case .connecting, .upgraded:
            preconditionFailure("a ping cannot arrive before the upgrade completes")
        }
    }

    /// A pong arrived (an answer to our ping, or unasked).
    public mutating func pongReceived() -> PongReceivedAction {
        switch self.state {
        case .open:
            return .matchKeepalive
        case .closing, .closed:
            // Keepalive is over: the close handshake has its own timer.
            return .emitPong
        case .connecting, .upgraded:
            preconditionFailure("a pong cannot arrive before the upgrade completes")
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
        case .connecting, .upgraded:
            preconditionFailure("a close frame cannot arrive before the upgrade completes")
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
        case .connecting, .upgraded:
            preconditionFailure("a protocol violation cannot happen before the upgrade completes")
        }
    }
}
