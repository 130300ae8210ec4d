/// The life of one connection, from the opening handshake to the end of TCP.
///
/// A pure value: each method is named for what happened and returns an action made for
/// that event (``UpgradeSucceededAction``, ``SendRequestedAction``, …), which the caller
/// carries out; no action lists what its event cannot lead to. It follows the browser's
/// `readyState` (CONNECTING → OPEN → CLOSING → CLOSED) and guarantees exactly one `close`
/// event per connection.
///
/// The events of the opening handshake are in `ConnectionStateMachine+Opening.swift`,
/// those of frames from the peer in `ConnectionStateMachine+Receiving.swift`, and what
/// the user and the timers ask for here.
public struct ConnectionStateMachine: Sendable {
    enum State: Sendable {
        /// TCP, TLS, a proxy or the opening handshake is under way.
        case connecting
        /// The handshake passed every check, but the pipeline is still being rebuilt:
        /// nothing can be written and the `open` event waits for `upgradeCompleted()`.
        ///
        /// NIO holds back frames that arrive meanwhile, so none can be read here.
        case upgraded
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

    var state: State = .connecting
    /// Which end we are: a server ends TCP as soon as it has answered the peer's close.
    public let role: ConnectionRole
    /// Whether every data message received is sent back (`--echo`).
    public let echoes: Bool
    /// Whether sends that cannot go are handed back to be sent on the next connection
    /// (`--reconnect`) rather than refused with an error.
    public let givesBackUnsent: Bool

    public init(role: ConnectionRole = .client, echoes: Bool = false, givesBackUnsent: Bool = false) {
        self.role = role
        self.echoes = echoes
        self.givesBackUnsent = givesBackUnsent
    }

    /// The browser API's `readyState`: an upgraded connection is still connecting until
    /// its `open` event.
    public var readyState: ReadyState {
        switch self.state {
        case .connecting, .upgraded: .connecting
        case .open: .open
        case .closing: .closing
        case .closed: .closed
        }
    }

    /// What a send meets now: held until the open, written, or refused.
    ///
    /// Senders that wait for room (``OutboundQueue``) need it: before the open only the
    /// queue's budget counts, once open the socket's writability too, and once closing
    /// nothing holds a sender back, as its sends are refused anyway.
    public var sendGate: SendGate {
        switch self.state {
        case .connecting, .upgraded: .hold
        case .open: .write
        case .closing, .closed: .refuse
        }
    }
}

extension ConnectionStateMachine {
    /// The user wants to send a data message.
    ///
    /// With `givesBackUnsent`, a send is never lost: while the connection closes it waits
    /// in the queue, which goes back whole, in order, when TCP ends; once it is closed, it
    /// goes back at once.
    public mutating func sendRequested() -> SendRequestedAction {
        switch self.state {
        case .connecting, .upgraded:
            return .queueMessage
        case .open:
            return .sendMessage
        case .closing:
            let error = ConnectionError(.input, "not sent: the connection is closing")
            // Sends given back now would overtake those still queued, which go back when
            // TCP ends: they wait behind them instead.
            return self.givesBackUnsent ? .queueMessage : .refuseMessage(error)
        case .closed:
            let error = ConnectionError(.input, "not sent: the connection is closed")
            return self.givesBackUnsent ? .giveBackMessage(error) : .refuseMessage(error)
        }
    }

    /// The user wants to send a ping or a pong.
    public mutating func controlFrameRequested() -> ControlFrameRequestedAction {
        switch self.state {
        case .open:
            return .sendFrame
        case .connecting, .upgraded, .closing, .closed:
            return .refuseFrame(
                ConnectionError(.input, "not sent: the connection is \(self.readyState.name.lowercased())")
            )
        }
    }

    /// The next chunk of a file being streamed was read and can be written.
    public mutating func fileChunkRead() -> FileChunkReadAction {
        switch self.state {
        case .open:
            return .writeChunk
        case .closing, .closed:
            return .stopStreaming
        case .connecting, .upgraded:
            preconditionFailure("a file is streamed only once the connection is open")
        }
    }

    /// A file finished streaming (or stopped): what waited behind it may go.
    public mutating func fileStreamEnded() -> FileStreamEndedAction {
        switch self.state {
        case .open:
            return .sendQueued
        case .closing, .closed:
            return .none
        case .connecting, .upgraded:
            preconditionFailure("a file is streamed only once the connection is open")
        }
    }

    /// The user (or end of input) asks to close with this code and reason.
    public mutating func closeRequested(code: CloseCode?, reason: String) -> CloseRequestedAction {
        switch self.state {
        case .connecting, .upgraded:
            self.state = .closing(Closing(initiator: .user, closeSent: false, received: nil))
            return .closeChannel
        case .open:
            self.state = .closing(Closing(initiator: .user, closeSent: true, received: nil))
            return .sendClose(code: code, reason: reason)
        case .closing, .closed:
            return .none
        }
    }

    /// A keepalive timer (the interval, or the wait for a pong) fired.
    public mutating func keepaliveTimerFired() -> KeepaliveTimerFiredAction {
        switch self.state {
        case .open:
            return .runKeepalive
        case .closing, .closed:
            // The close handshake has its own timer.
            return .none
        case .connecting, .upgraded:
            preconditionFailure("keepalive timers start once the connection is open")
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
            return .none
        case .connecting, .upgraded:
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
        case .connecting, .upgraded, .open, .closed:
            return .none
        }
    }

    /// The transport reported an error (TLS, a reset): the connection cannot go on.
    public mutating func transportFailed(_ error: ConnectionError) -> TransportFailedAction {
        switch self.state {
        case .closing:
            // After our close frame, or after we failed the connection, what is left of
            // it is noise: it ends without another error.
            return .closeChannel
        case .connecting, .upgraded, .open, .closed:
            return .fireErrorAndCloseChannel(error)
        }
    }

    /// The TCP connection ended (whoever ended it).
    public mutating func channelClosed() -> ChannelClosedAction {
        switch self.state {
        case .connecting, .upgraded:
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
