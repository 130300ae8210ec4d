/// The life of a `--listen` session, decided as a pure value.
///
/// It serves until the user, a signal, `--count`/`--expect` or `--timeout` ends it; then it
/// quits: it stops listening, closes every client with 1001 and finishes when the last one
/// has closed. Asked to quit again while quitting (a second Ctrl-C, SIGTERM, the time limit),
/// it finishes at once. Each method is named for what happened and returns an action made
/// for that event; the session carries the actions out.
public struct ListenStateMachine {
    enum State {
        case serving
        /// No longer listening; every client was asked to close.
        case quitting
        /// Over, with this status (before what was lost is counted).
        case finished(ExitStatus)
    }

    var state = State.serving
    /// The clients whose connection opened and has not closed.
    var clients: Set<Int> = []
    let interactive: Bool
    var limit: ReceiveLimit?
    /// A status decided by a signal or the time limit: the first one stays.
    var override: ExitStatus?
    var inputNotSent = false
    var outputFailed = false
    /// Set once the terminal hung up: Ctrl-C then acts as in a pipe.
    var promptIsGone = false

    public init(interactive: Bool, limit: ReceiveLimit?) {
        self.interactive = interactive
        self.limit = limit
    }

    /// Once finished, the exit status, with lost input and a failed standard output counted.
    public var exitStatus: ExitStatus? {
        guard case .finished(let status) = self.state else {
            return nil
        }
        return status.counting(outputFailed: self.outputFailed, inputNotSent: self.inputNotSent)
    }

    // MARK: Clients

    /// A client's connection opened.
    public mutating func clientOpened(_ id: Int) -> ClientOpenedAction {
        switch self.state {
        case .serving:
            self.clients.insert(id)
            return .showGreetAndReleaseInput
        case .quitting:
            // It was accepted just before the listening socket closed.
            self.clients.insert(id)
            return .showAndClose(.goingAway)
        case .finished:
            preconditionFailure("nothing reaches a session after its end")
        }
    }

    /// A client's message arrived; counted over every client.
    public mutating func messageReceived(from id: Int, _ message: Message) -> ListenMessageAction {
        switch self.state {
        case .serving:
            switch self.limit?.messageReceived(message) ?? .show {
            case .show:
                return .show
            case .ignore:
                return .ignore
            case .showAndStop:
                return .showAndQuit(self.quit())
            }
        case .quitting:
            // Clients still answering our close are read to the end, and not abandoned when
            // the limit is reached now.
            switch self.limit?.messageReceived(message) ?? .show {
            case .show, .showAndStop:
                return .show
            case .ignore:
                return .ignore
            }
        case .finished:
            preconditionFailure("nothing reaches a session after its end")
        }
    }

    /// A client's connection closed.
    public mutating func clientClosed(_ id: Int) -> ClientClosedAction {
        self.clients.remove(id)
        switch self.state {
        case .serving:
            return .show
        case .quitting:
            guard self.clients.isEmpty else {
                return .show
            }
            self.finish()
            return .showAndFinish
        case .finished:
            preconditionFailure("nothing reaches a session after its end")
        }
    }

    // MARK: Input

    /// A batch of standard input was read: it goes to every client, once there is one.
    public mutating func inputBatchRead() -> InputBatchReadAction {
        switch self.state {
        case .serving:
            return self.clients.isEmpty ? .holdUntilAClient : .sendToEveryClient
        case .quitting, .finished:
            return .stopReading
        }
    }

    /// A record of input was not sent (too long, not UTF-8): the exit status says so.
    public mutating func recordNotSent() {
        self.inputNotSent = true
    }

    // MARK: Ending

    /// The user asked to stop (Ctrl-D, `/quit`); asked again while quitting, it stops now.
    public mutating func quitRequested() -> QuitAction {
        self.quit()
    }

    /// SIGINT: at the prompt, text is cleared; otherwise it quits (130 outside the prompt,
    /// and for a second one).
    public mutating func interruptReceived(promptHasText: Bool) -> ListenInterruptAction {
        let serving: Bool
        switch self.state {
        case .serving:
            serving = true
        case .quitting:
            serving = false
        case .finished:
            preconditionFailure("nothing reaches a session after its end")
        }
        let promptIsUp = self.interactive && !self.promptIsGone
        if promptHasText, promptIsUp, serving {
            return .clearLine
        }
        if !promptIsUp || !serving {
            self.override = self.override ?? .interrupted
        }
        return .quit(self.quit())
    }

    /// SIGTERM: quit (143); a second one stops at once.
    public mutating func terminationRequested() -> QuitAction {
        self.override = self.override ?? .terminated
        return self.quit()
    }

    /// SIGHUP, or the terminal went away under the prompt: quit (129).
    public mutating func hangUpReceived() -> QuitAction {
        self.override = self.override ?? .hungUp
        self.promptIsGone = true
        return self.quitOnce()
    }

    /// `--timeout` ran out: quit (124); while quitting already, stop at once.
    public mutating func timeLimitReached() -> QuitAction {
        self.override = self.override ?? .timeout
        return self.quit()
    }

    /// Standard output is gone: quit, but a session already quitting waits for its clients.
    public mutating func standardOutputClosed(failed: Bool) -> QuitAction {
        self.outputFailed = self.outputFailed || failed
        return self.quitOnce()
    }

    /// Quits; while quitting, finishes at once.
    mutating func quit() -> QuitAction {
        switch self.state {
        case .serving:
            return self.startQuitting()
        case .quitting:
            self.finish()
            return .finish
        case .finished:
            return .none
        }
    }

    /// Quits; while quitting, goes on waiting for the clients.
    mutating func quitOnce() -> QuitAction {
        switch self.state {
        case .serving:
            return self.startQuitting()
        case .quitting, .finished:
            return .none
        }
    }

    private mutating func startQuitting() -> QuitAction {
        guard !self.clients.isEmpty else {
            self.finish()
            return .stopListeningAndFinish
        }
        self.state = .quitting
        return .stopListeningAndClose(self.clients.sorted(), code: .goingAway)
    }

    private mutating func finish() {
        self.state = .finished(self.override ?? .success)
    }
}
