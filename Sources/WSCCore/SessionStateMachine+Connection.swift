/// What the current connection reports.
extension SessionStateMachine {
    /// The connection opened.
    public mutating func connectionOpened(at now: Instant) -> ConnectionOpenedAction {
        switch self.state {
        case .connecting(var connection):
            connection.failure = nil
            self.state = .open(connection, openedAt: now)
            self.lastActivity = now
            return .showAndReleaseHeldInput(self.startAfterInput(at: now))
        case .closing(var closing) where !closing.wasOpen && !closing.closed:
            // The open crossed our close on its way.
            closing.wasOpen = true
            self.state = .closing(closing)
            return .showAndReleaseHeldInput(.none)
        case .open, .closing, .down, .finished:
            preconditionFailure("a connection opens once, before its close")
        }
    }

    /// A message arrived.
    public mutating func messageReceived(_ message: Message, at now: Instant) -> MessageReceivedAction {
        switch self.state {
        case .open:
            self.lastActivity = now
            switch self.limit?.messageReceived(message) ?? .show {
            case .show:
                return .show
            case .ignore:
                return .ignore
            case .showAndStop:
                guard case .close(let order) = self.requestClose(.normalClosure, "", at: now) else {
                    preconditionFailure("an open connection closes when asked")
                }
                return .showAndClose(order)
            }
        case .closing(let closing) where closing.wasOpen && !closing.closed:
            self.lastActivity = now
            switch self.limit?.messageReceived(message) ?? .show {
            case .show, .showAndStop:
                return .show
            case .ignore:
                return .ignore
            }
        case .connecting, .closing, .down, .finished:
            preconditionFailure("messages come between a connection's open and its close")
        }
    }

    /// The connection reported an error (the session shows it).
    public mutating func errorReceived(_ error: ConnectionError) {
        switch self.state {
        case .connecting(var connection) where error.kind != .input:
            connection.failure = error
            self.state = .connecting(connection)
        case .closing(var closing) where !closing.wasOpen && !closing.closed && error.kind != .input:
            closing.connection.failure = error
            self.state = .closing(closing)
        case .connecting, .open, .closing, .down:
            // The user's own input errors, and errors after the open, say nothing of how
            // the connection failed to open.
            break
        case .finished:
            preconditionFailure("nothing reaches a session after its end")
        }
    }

    /// The connection closed. `jitter` is a random number from 0 up to 1 for the backoff.
    public mutating func closeReceived(_ close: CloseInfo, at now: Instant, jitter: Double) -> CloseReceivedAction {
        switch self.state {
        case .connecting(let connection):
            return self.closedByItself(connection, close, openFor: nil, jitter: jitter)
        case .open(let connection, let openedAt):
            return self.closedByItself(connection, close, openFor: now - openedAt, jitter: jitter)
        case .closing(var closing) where !closing.closed:
            self.lastClose = close
            self.lastFailure = closing.connection.failure
            closing.closed = true
            let givenBack = closing.connection.givenBack
            closing.connection.givenBack = []
            self.state = .closing(closing)
            self.inputNotSent = self.inputNotSent || !givenBack.isEmpty
            return givenBack.isEmpty ? .showAndAwaitEnd : .showReportAndAwaitEnd(givenBack)
        case .closing, .down, .finished:
            preconditionFailure("a connection closes once")
        }
    }

    /// A close nobody here asked for: connect again, or end with this connection.
    private mutating func closedByItself(
        _ connection: Connection,
        _ close: CloseInfo,
        openFor: Duration?,
        jitter: Double
    ) -> CloseReceivedAction {
        self.lastClose = close
        self.lastFailure = connection.failure
        if case .reconnect(let attempt, let delay)? = self.reconnection?.connectionEnded(
            close,
            failure: connection.failure,
            openFor: openFor,
            jitter: jitter
        ) {
            self.state = .down(
                Down(
                    outbox: connection.givenBack.map { .message($0) },
                    givenBackCount: connection.givenBack.count,
                    attempt: ReconnectAttempt(attempt: attempt, delay: delay),
                    phase: .awaitingEnd(closeRequested: false)
                )
            )
            return .showAndAwaitEnd
        }
        var rest = connection
        rest.givenBack = []
        self.state = .closing(Closing(connection: rest, requested: false, wasOpen: openFor != nil, closed: true))
        self.inputNotSent = self.inputNotSent || !connection.givenBack.isEmpty
        return connection.givenBack.isEmpty ? .showAndAwaitEnd : .showReportAndAwaitEnd(connection.givenBack)
    }

    /// The connection gave back messages it did not write.
    ///
    /// With `--reconnect` they wait for the next connection while there may be one; else
    /// they are reported, and the exit status counts them as input not sent.
    public mutating func messagesGivenBack(_ messages: [Message]) -> MessagesGivenBackAction {
        let action = self.keepOrReport(messages)
        if case .report = action {
            self.inputNotSent = true
        }
        return action
    }

    private mutating func keepOrReport(_ messages: [Message]) -> MessagesGivenBackAction {
        guard self.reconnection != nil else {
            return .report(messages)
        }
        switch self.state {
        case .connecting(var connection):
            connection.givenBack += messages
            self.state = .connecting(connection)
            return .keep
        case .open(var connection, let openedAt):
            connection.givenBack += messages
            self.state = .open(connection, openedAt: openedAt)
            return .keep
        case .closing(var closing) where !closing.closed:
            closing.connection.givenBack += messages
            self.state = .closing(closing)
            return .keep
        case .down(var down):
            // Given back, they were sent before anything sent since the drop: they go first.
            down.outbox.insert(contentsOf: messages.map { .message($0) }, at: down.givenBackCount)
            down.givenBackCount += messages.count
            self.state = .down(down)
            return .keep
        case .closing, .finished:
            return .report(messages)
        }
    }

    /// The connection's end: nothing more comes from it.
    public mutating func connectionEnded(at now: Instant) -> ConnectionEndedAction {
        switch self.state {
        case .closing(let closing) where closing.closed:
            return .finish(self.finish(notSent: [], closeToReport: nil, endSeen: true))
        case .down(var down):
            switch down.phase {
            case .awaitingEnd(closeRequested: false):
                down.phase = .waiting
                self.state = .down(down)
                return .showAttemptAndWait(down.attempt, until: now + down.attempt.delay)
            case .awaitingEnd(closeRequested: true):
                return .finish(self.finish(notSent: down.outbox, closeToReport: nil, endSeen: true))
            case .waiting:
                preconditionFailure("a connection ends once")
            }
        case .connecting, .open, .closing, .finished:
            preconditionFailure("a connection ends after its close")
        }
    }

    /// The time of the next attempt came.
    public mutating func attemptDue(at now: Instant) -> AttemptDueAction {
        switch self.state {
        case .down(let down):
            guard case .waiting = down.phase else {
                preconditionFailure("the attempt's timer is armed once the connection ended")
            }
            self.state = .connecting(Connection())
            return .connect(sending: down.outbox)
        case .connecting, .open, .closing, .finished:
            preconditionFailure("the attempt's timer is armed only while down")
        }
    }
}
