/// The wait after the end of input, the time limit and the closing notice.
extension SessionStateMachine {
    /// Input ended: every record was handed over.
    public mutating func inputEnded(at now: Instant) -> AfterInputStart {
        self.lastActivity = now
        guard case .reading = self.input else {
            return .none
        }
        switch self.state {
        case .open:
            self.input = .pending
            return self.startAfterInput(at: now)
        case .connecting, .down:
            self.input = .pending
            return .none
        case .closing, .finished:
            self.input = .over
            return .none
        }
    }

    /// Starts the wait after input if it waits for an open one; re-arms it after a reconnect.
    mutating func startAfterInput(at now: Instant) -> AfterInputStart {
        switch self.input {
        case .reading, .closeArmed, .over:
            return .none
        case .idle(let idle):
            return .checkIdle(at: now + idle)
        case .untilWritten:
            return .awaitWritten
        case .pending:
            guard self.limit == nil else {
                // --count and --expect end the session themselves.
                self.input = .over
                return .none
            }
            switch self.afterInput {
            case .waitForServer:
                self.input = .over
                return .none
            case .closeWhenIdle(let idle):
                self.input = .idle(idle)
                return .checkIdle(at: self.lastActivity + idle)
            case .closeAfter(let duration):
                self.input = .untilWritten(duration)
                return .awaitWritten
            }
        }
    }

    /// The idle check's time came.
    public mutating func idleCheckDue(at now: Instant) -> IdleCheckDueAction {
        guard case .idle(let idle) = self.input else {
            return .stop
        }
        switch self.state {
        case .open:
            let due = self.lastActivity + idle
            return now >= due ? .checkStatus : .checkAgain(at: due)
        case .connecting, .closing, .down:
            return .stop
        case .finished:
            preconditionFailure("timers are disarmed at the end")
        }
    }

    /// The connection answered the idle check: whether it is busy (sending, writing, or
    /// holding back what it read), and when a data frame last went either way.
    public mutating func idleStatusChecked(
        busy: Bool,
        lastTraffic: Instant,
        at now: Instant
    ) -> IdleStatusCheckedAction {
        guard case .idle(let idle) = self.input else {
            return .stop
        }
        switch self.state {
        case .open:
            guard !busy else {
                return .checkAgain(at: now + idle)
            }
            let due = max(self.lastActivity + idle, lastTraffic + idle)
            guard now >= due else {
                return .checkAgain(at: due)
            }
            self.input = .over
            guard case .close(let order) = self.requestClose(.normalClosure, "", at: now) else {
                preconditionFailure("an open connection closes when asked")
            }
            return .close(order)
        case .connecting, .closing, .down:
            return .stop
        case .finished:
            preconditionFailure("nothing reaches a session after its end")
        }
    }

    /// The connection wrote everything handed to it (or it ended).
    public mutating func connectionWritten(at now: Instant) -> ConnectionWrittenAction {
        guard case .untilWritten(let duration) = self.input else {
            return .none
        }
        switch self.state {
        case .open:
            self.input = .closeArmed
            return .armCloseAfterInput(at: now + duration)
        case .connecting, .closing, .down:
            // It ended: the next open asks again.
            return .none
        case .finished:
            preconditionFailure("nothing reaches a session after its end")
        }
    }

    /// The wait after input (`-w`) ran out.
    public mutating func closeAfterInputDue(at now: Instant) -> CloseRequestedAction {
        self.input = .over
        return self.requestClose(.normalClosure, "", at: now)
    }

    /// `--timeout` ran out: the session ends with 124.
    public mutating func timeLimitReached(at now: Instant) -> TimeLimitReachedAction {
        self.override = self.override ?? .timeout
        switch self.state {
        case .open:
            guard case .close(let order) = self.requestClose(.normalClosure, "", at: now) else {
                preconditionFailure("an open connection closes when asked")
            }
            return .showAndClose(order)
        case .connecting, .closing, .down:
            return .showAndFinish(self.quit())
        case .finished:
            preconditionFailure("timers are disarmed at the end")
        }
    }

    /// A second after a close at the prompt.
    public mutating func closingNoticeDue() -> ClosingNoticeDueAction {
        switch self.state {
        case .closing(let closing) where closing.wasOpen && !closing.closed:
            return .sayNoAnswerYet
        case .connecting, .open, .closing, .down, .finished:
            return .none
        }
    }
}
