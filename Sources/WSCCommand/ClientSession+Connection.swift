import NIOCore
import NIOPosix
import WSCCore
import WSCNetwork

/// The connections: starting one, its events, its end, and the session's timers.
extension ClientSession {
    /// Starts a connection and hands it what waited for it, in order: runs of messages with
    /// one hop and one flush each.
    func connect(sending outbox: [SessionStateMachine.Outgoing]) {
        self.connectionNumber += 1
        let number = self.connectionNumber
        let runner = self.runner
        let connection = WebSocketConnection.connect(self.configuration, on: MultiThreadedEventLoopGroup.singleton) {
            (events: [ConnectionEvent]) in
            runner.post(.connection(number, events))
        }
        self.connection = connection
        var messages: [Message] = []
        for item in outbox {
            switch item {
            case .message(let message):
                messages.append(message)
            case .file(let number):
                connection.send(contentsOf: messages)
                messages = []
                if let file = self.keptFiles.removeValue(forKey: number) {
                    connection.send(file)
                }
            }
        }
        connection.send(contentsOf: messages)
        self.runner.releaseHeldInput()
    }

    /// A batch of the connection's events; the messages in it are acknowledged together.
    func received(_ events: [ConnectionEvent], at now: Duration) {
        var handled = 0
        for event in events {
            if case .message = event {
                handled += 1
            }
            if self.draining {
                self.drained(event)
            } else if !self.isOver {
                self.handle(event, at: now)
            }
        }
        if handled > 0 {
            self.connection?.acknowledge(handled)
        }
    }

    /// After the end, only what the connection did not send is reported.
    func drained(_ event: ConnectionEvent) {
        switch event {
        case .unsent(let messages):
            switch self.machine.messagesGivenBack(messages) {
            case .keep:
                preconditionFailure("nothing is kept after the end")
            case .report(let messages):
                self.output.show(.unsent(messages))
            }
        case .error(let error) where error.kind == .input:
            self.output.show(event)
        case .open, .message, .error, .close, .ping, .pong, .progress, .handshake, .redirect, .reconnect:
            break
        }
    }

    func handle(_ event: ConnectionEvent, at now: Duration) {
        switch event {
        case .open:
            switch self.machine.connectionOpened(at: now) {
            case .showAndReleaseHeldInput(let start):
                self.output.show(event)
                self.runner.releaseHeldInput()
                self.start(start)
            }
        case .message(let message):
            switch self.machine.messageReceived(message, at: now) {
            case .show:
                self.output.show(event)
            case .ignore:
                break
            case .showAndClose(let order):
                self.output.show(event)
                self.close(order)
            }
        case .error(let error):
            self.machine.errorReceived(error)
            self.output.show(event)
        case .close(let info):
            self.timers.disarm(.closingNotice)
            let action = self.machine.closeReceived(info, at: now, jitter: .random(in: 0..<1))
            self.output.show(event)
            if case .showReportAndAwaitEnd(let messages) = action {
                self.output.show(.unsent(messages))
            }
            if let connection = self.connection {
                self.requestEnd(of: connection)
            }
        case .unsent(let messages):
            switch self.machine.messagesGivenBack(messages) {
            case .keep:
                break
            case .report(let messages):
                self.output.show(.unsent(messages))
            }
        case .ping, .pong, .progress, .handshake, .redirect:
            self.output.show(event)
        case .reconnect:
            preconditionFailure("only the session decides to reconnect")
        }
    }

    /// The connection is over: nothing more comes from it.
    func connectionEnded(at now: Duration) {
        if self.draining {
            self.draining = false
            return
        }
        switch self.machine.connectionEnded(at: now) {
        case .showAttemptAndWait(let attempt, let deadline):
            self.output.show(.reconnect(attempt))
            self.timers.arm(.attempt, at: deadline)
        case .finish(let finish):
            self.finish(finish)
        }
    }

    /// Starts the wait after the end of input as the machine says.
    func start(_ start: SessionStateMachine.AfterInputStart) {
        switch start {
        case .none:
            break
        case .checkIdle(let deadline):
            self.timers.arm(.idleCheck, at: deadline)
        case .awaitWritten:
            let number = self.connectionNumber
            let runner = self.runner
            self.connection?.whenWritten().whenComplete { _ in runner.post(.written(number)) }
        }
    }

    func timerFired(_ timer: SessionTimers.Timer, at now: Duration) {
        guard !self.isOver else {
            return
        }
        switch timer {
        case .timeLimit:
            let action = self.machine.timeLimitReached(at: now)
            self.output.show(.error(.timeLimit(self.options.timeout ?? .zero)))
            switch action {
            case .showAndClose(let order):
                self.close(order)
            case .showAndFinish(let finish):
                self.finish(finish)
            }
        case .attempt:
            switch self.machine.attemptDue(at: now) {
            case .connect(let outbox):
                self.connect(sending: outbox)
            }
        case .idleCheck:
            switch self.machine.idleCheckDue(at: now) {
            case .checkStatus:
                let number = self.connectionNumber
                let runner = self.runner
                let origin = self.timers.origin
                self.connection?.status().whenSuccess { status in
                    runner.post(
                        .idleStatus(
                            number,
                            busy: status.isSending || status.bufferedAmount > 0 || status.isHoldingBack,
                            lastTraffic: origin.duration(to: status.lastTraffic)
                        )
                    )
                }
            case .checkAgain(let deadline):
                self.timers.arm(.idleCheck, at: deadline)
            case .stop:
                break
            }
        case .closeAfterInput:
            self.carryOut(self.machine.closeAfterInputDue(at: now))
        case .closingNotice:
            switch self.machine.closingNoticeDue() {
            case .none:
                break
            case .sayNoAnswerYet:
                let limit = EventFormatter.seconds(self.configuration.closeTimeout)
                self.output.inform(
                    "closing: no answer from the server yet (Ctrl-C quits now; --close-timeout \(limit))"
                )
            }
        }
    }
}
