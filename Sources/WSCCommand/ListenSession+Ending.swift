import NIOCore
import WSCCore
import WSCTerminal

/// `--listen`'s input, and how it ends: `/quit`, the time limit, signals and hang-up.
extension ListenSession {
    // MARK: Input

    /// A batch of standard input waits for a client, then goes to every client.
    func inputArrived(at now: Duration) async -> Bool {
        while true {
            switch self.machine.inputBatchRead() {
            case .sendToEveryClient:
                return true
            case .holdUntilAClient:
                _ = await self.runner.hold(until: nil)
            case .stopReading:
                return false
            }
        }
    }

    func send(binary payloads: consuming [ByteBuffer]) {
        // A server does not mask: every client writes the same buffers.
        let payloads = payloads
        for connected in self.clients.values {
            connected.client.connection.send(binary: payloads)
        }
    }

    func send(contentsOf messages: [Message]) {
        self.broadcast(messages)
    }

    func pipedLine(_ line: String) async -> Bool {
        self.handleLine(line)
        return true
    }

    /// The next batch is read once every client has room (a client that does not read holds
    /// the input back for all).
    func roomForMoreInput() async -> Bool {
        for connected in self.clientsInOrder {
            _ = await self.runner.hold(until: connected.client.connection.whenReady())
        }
        return !self.isDone
    }

    /// The end of input ends nothing.
    func inputEnded(at now: Duration) {}

    func recordNotSent() {
        self.machine.recordNotSent()
    }

    func typed(_ line: String, at now: Duration) {
        self.handleLine(line)
    }

    func handleLine(_ line: String) {
        if self.options.interactive, line.isEmpty {
            return
        }
        do {
            switch try InputLine<ServerCommand>(parsing: line, slashCommands: self.options.slashCommands) {
            case .text(let text):
                self.broadcast([.text(text)])
            case .command(let command):
                self.run(command)
            }
        } catch {
            self.complain(error.message)
        }
    }

    // MARK: Ending

    func typedEndOfInput(at now: Duration) {
        self.carryOut(self.machine.quitRequested())
    }

    func timerFired(_ timer: SessionTimers.Timer, at now: Duration) {
        switch timer {
        case .timeLimit:
            self.show(.error(.timeLimit(self.options.timeout ?? .zero)), client: nil)
            self.carryOut(self.machine.timeLimitReached())
        case .attempt, .idleCheck, .closeAfterInput, .closingNotice:
            preconditionFailure("--listen arms only the time limit")
        }
    }

    func interrupted(promptHasText: Bool, at now: Duration) {
        switch self.machine.interruptReceived(promptHasText: promptHasText) {
        case .clearLine:
            self.output.editor?.clearLine()
        case .quit(let quit):
            self.carryOut(quit)
        }
    }

    func terminated(at now: Duration) {
        self.carryOut(self.machine.terminationRequested())
    }

    func hungUp(at now: Duration) {
        self.output.stopPrompt()
        self.carryOut(self.machine.hangUpReceived())
    }

    func outputClosed(failed: Bool, at now: Duration) {
        self.carryOut(self.machine.standardOutputClosed(failed: failed))
    }
}
