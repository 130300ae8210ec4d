/// The events of the opening handshake: TCP up, a redirect, the upgrade, a failure.
extension ConnectionStateMachine {
    /// TCP (and TLS, and a proxy) is up: the upgrade request goes next.
    public mutating func channelConnected() -> ChannelConnectedAction {
        switch self.state {
        case .connecting:
            return .none
        case .closing(let closing) where !closing.closeSent:
            // The user gave up while TCP was being set up.
            return .closeChannel
        case .closed:
            // The attempt failed meanwhile (its time limit).
            return .closeChannel
        case .upgraded, .open, .closing:
            preconditionFailure("a connection was made after the upgrade")
        }
    }

    /// The server answered the upgrade with a redirect that `-L` follows.
    public mutating func redirectReceived() -> RedirectReceivedAction {
        switch self.state {
        case .connecting:
            return .followRedirect
        case .closing(let closing) where !closing.closeSent:
            return .none
        case .closed:
            return .none
        case .upgraded, .open, .closing:
            preconditionFailure("a redirect arrived after the upgrade")
        }
    }

    /// The server accepted the upgrade and every handshake check passed.
    ///
    /// Nothing can be written yet, and the `open` event waits for `upgradeCompleted()`.
    public mutating func upgradeSucceeded() -> UpgradeSucceededAction {
        switch self.state {
        case .connecting:
            self.state = .upgraded
            return .awaitCompletion
        case .closing(let closing) where !closing.closeSent:
            // The user gave up while the handshake was finishing: leave without opening.
            return .closeChannel
        case .closed:
            return .closeChannel
        case .upgraded, .open, .closing:
            preconditionFailure("upgrade succeeded twice")
        }
    }

    /// The pipeline is rebuilt for WebSocket frames: writes pass from now on.
    public mutating func upgradeCompleted() -> UpgradeCompletedAction {
        switch self.state {
        case .upgraded:
            self.state = .open
            return .fireOpen
        case .closing(let closing) where !closing.closeSent:
            // TCP is being closed already (see `upgradeSucceeded()` and `closeRequested`).
            return .none
        case .closed:
            return .none
        case .connecting, .open, .closing:
            preconditionFailure("the upgrade completed without having succeeded")
        }
    }

    /// The connection could not be made, or the handshake failed; the error says why.
    ///
    /// When a channel exists, the caller closes it and later reports `channelClosed()`,
    /// which then does nothing.
    public mutating func connectFailed(_ error: ConnectionError) -> ConnectFailedAction {
        switch self.state {
        case .connecting, .upgraded:
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
}
