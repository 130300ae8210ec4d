/// What the user does: input, sends, commands, signals, the terminal and standard output.
extension SessionStateMachine {
    /// Input arrived (a batch of stdin, a typed line): it counts as activity.
    public mutating func inputArrived(at now: Instant) {
        self.lastActivity = now
    }

    /// The user sends something.
    public mutating func sendRequested() -> SendRequestedAction {
        switch self.state {
        case .connecting, .open, .closing:
            return .send
        case .down:
            return .keep
        case .finished:
            return .refuse
        }
    }

    /// Keeps sends for the next connection, after `sendRequested()` said so.
    public mutating func keepForNextConnection(_ items: [Outgoing]) {
        guard case .down(var down) = self.state else {
            preconditionFailure("sends are kept only while down")
        }
        down.outbox += items
        self.state = .down(down)
    }

    /// A slash command was read from a pipe: it waits for the open, as the lines before it do.
    public mutating func pipedCommandRead() -> PipedCommandReadAction {
        switch self.state {
        case .open:
            return .run
        case .closing(let closing) where closing.wasOpen && !closing.closed:
            return .run
        case .connecting, .closing, .down:
            return .holdUntilOpen
        case .finished:
            return .drop
        }
    }

    /// The input pump handed over a batch: may it read on?
    public mutating func roomRequested() -> RoomRequestedAction {
        switch self.state {
        case .connecting, .open, .closing:
            return .awaitConnectionRoom
        case .down:
            return .awaitNextConnection
        case .finished:
            return .stopReading
        }
    }

    /// The user asked to close (Ctrl-D, `/close`, `/quit`).
    public mutating func closeRequested(code: CloseCode?, reason: String, at now: Instant) -> CloseRequestedAction {
        self.requestClose(code, reason, at: now)
    }

    /// The user sends a ping or a pong.
    public mutating func controlFrameRequested() -> ControlFrameRequestedAction {
        switch self.state {
        case .connecting, .open, .closing:
            return .send
        case .down:
            return .refuse("not sent: the connection is down (reconnecting)")
        case .finished:
            return .refuse("not sent: the session is over")
        }
    }

    /// The user asked for `/status`.
    public mutating func statusRequested() -> StatusRequestedAction {
        switch self.state {
        case .down:
            return .show(reconnecting: true)
        case .connecting, .open, .closing, .finished:
            return .show(reconnecting: false)
        }
    }

    /// A record of input was not sent (too long, not UTF-8): the exit status says so.
    public mutating func recordNotSent() {
        self.inputNotSent = true
    }

    /// SIGINT (Ctrl-C).
    ///
    /// At the prompt, text on the line is cleared; on an empty line the first Ctrl-C closes
    /// (the status is the close's) and the next quits now with 130. In a pipe the first
    /// closes with 130, the next quits now.
    public mutating func interruptReceived(promptHasText: Bool, at now: Instant) -> InterruptReceivedAction {
        if promptHasText, self.promptIsUp {
            return .clearLine
        }
        let first = !self.closeIsUnderWay
        if !first || !self.promptIsUp {
            self.override = self.override ?? .interrupted
        }
        guard first else {
            return .ending(.finish(self.quit()))
        }
        return .ending(self.requestClose(.normalClosure, "", at: now))
    }

    /// SIGTERM: close with 1001 and exit 143; a second one, or one while closing, quits now.
    public mutating func terminationRequested(at now: Instant) -> CloseRequestedAction {
        self.override = self.override ?? .terminated
        guard !self.closeIsUnderWay else {
            return .finish(self.quit())
        }
        return self.requestClose(.goingAway, "", at: now)
    }

    /// SIGHUP, or the terminal went away under the prompt: close with 1001, exit 129.
    ///
    /// The prompt is gone in every case: the session stops it first.
    public mutating func hangUpReceived(at now: Instant) -> CloseRequestedAction {
        self.override = self.override ?? .hungUp
        self.promptIsGone = true
        return self.requestClose(.goingAway, "", at: now)
    }

    /// Standard output is gone (the reader left, or writing failed): close.
    public mutating func standardOutputClosed(failed: Bool, at now: Instant) -> CloseRequestedAction {
        self.outputFailed = self.outputFailed || failed
        return self.requestClose(.normalClosure, "", at: now)
    }

    /// Whether a prompt reads the user's lines.
    var promptIsUp: Bool { self.interactive && !self.promptIsGone }

    /// Whether a close was asked for already, or the connection's close came: the next
    /// Ctrl-C or SIGTERM quits at once.
    var closeIsUnderWay: Bool {
        switch self.state {
        case .connecting, .open:
            false
        case .closing(let closing):
            closing.requested
        case .down(let down):
            switch down.phase {
            case .awaitingEnd(let closeRequested): closeRequested
            case .waiting: false
            }
        case .finished:
            preconditionFailure("nothing reaches a session after its end")
        }
    }
}
