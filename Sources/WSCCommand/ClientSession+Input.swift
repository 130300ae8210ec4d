import NIOCore
import WSCCore
import WSCNetwork
import WSCTerminal

/// The user's input (standard input, the command line, typed lines), sends, and signals.
extension ClientSession {
    // MARK: Input

    /// Hands over the command line's sends (`-x`, `--json`, `--file`); that is the end of input.
    func sendCommandLine(at now: Duration) {
        for send in self.options.commandLineSends {
            switch send {
            case .message(let message):
                self.send(message)
            case .file(let path):
                do {
                    self.send(try LocalFile.outgoing(path))
                } catch {
                    self.complain(error.message)
                }
            }
        }
        self.start(self.machine.inputEnded(at: now))
    }

    func inputArrived(at now: Duration) async -> Bool {
        self.machine.inputArrived(at: now)
        return true
    }

    func inputEnded(at now: Duration) {
        guard !self.isOver else {
            return
        }
        self.start(self.machine.inputEnded(at: now))
    }

    /// A piped line: a command waits for the open, as the messages before it do.
    func pipedLine(_ line: String) async -> Bool {
        if line.hasPrefix("/") {
            waiting: while true {
                switch self.machine.pipedCommandRead() {
                case .run:
                    break waiting
                case .holdUntilOpen:
                    _ = await self.runner.hold(until: nil)
                case .drop:
                    return false
                }
            }
        }
        self.handleLine(line)
        return true
    }

    /// Waits until more input may be read; false once the session is over.
    func roomForMoreInput() async -> Bool {
        while true {
            switch self.machine.roomRequested() {
            case .awaitConnectionRoom:
                if await self.runner.hold(until: self.connection?.whenReady()) {
                    return true
                }
            case .awaitNextConnection:
                _ = await self.runner.hold(until: nil)
            case .stopReading:
                return false
            }
        }
    }

    func typed(_ line: String, at now: Duration) {
        guard !self.isOver else {
            return
        }
        self.handleLine(line)
    }

    func typedEndOfInput(at now: Duration) {
        guard !self.isOver else {
            return
        }
        self.carryOut(self.machine.closeRequested(code: .normalClosure, reason: "", at: now))
    }

    /// A typed or piped line: text to send, or a slash command.
    func handleLine(_ line: String) {
        self.machine.inputArrived(at: self.timers.now)
        if self.options.interactive, line.isEmpty {
            return
        }
        do {
            switch try InputLine<SlashCommand>(parsing: line, slashCommands: self.options.slashCommands) {
            case .text(let text):
                self.send(.text(text))
            case .command(let command):
                self.run(command)
            }
        } catch {
            self.complain(error.message)
        }
    }

    // MARK: Sending

    /// Sends a message now, or on the next connection while there is none.
    func send(_ message: Message) {
        switch self.machine.sendRequested() {
        case .send:
            self.connection?.send(message)
        case .keep:
            self.machine.keepForNextConnection([.message(message)])
        case .refuse:
            self.sessionIsOver([message])
        }
    }

    /// Sends a file now, or on the next connection while there is none.
    func send(_ file: OutgoingFile) {
        switch self.machine.sendRequested() {
        case .send:
            self.connection?.send(file)
        case .keep:
            self.lastFileNumber += 1
            self.keptFiles[self.lastFileNumber] = file
            self.machine.keepForNextConnection([.file(number: self.lastFileNumber)])
        case .refuse:
            file.closeDescriptor()
            self.machine.recordNotSent()
            self.complain("'\(file.name)' not sent: the session is over")
        }
    }

    /// Sends messages in order, with one flush.
    func send(contentsOf messages: [Message]) {
        switch self.machine.sendRequested() {
        case .send:
            self.connection?.send(contentsOf: messages)
        case .keep:
            self.machine.keepForNextConnection(messages.map { .message($0) })
        case .refuse:
            self.sessionIsOver(messages)
        }
    }

    /// Sends binary messages in order, with one flush, each payload a buffer of its own that
    /// goes to the socket without a copy; on the next connection while there is none.
    func send(binary payloads: consuming [ByteBuffer]) {
        switch self.machine.sendRequested() {
        case .send:
            self.connection?.send(binary: consume payloads)
        case .keep:
            self.machine.keepForNextConnection(payloads.map { .message(Message(kind: .binary, payload: $0)) })
        case .refuse:
            self.sessionIsOver(payloads.map { Message(kind: .binary, payload: $0) })
        }
    }

    /// Sends that came after the end: said, and counted.
    private func sessionIsOver(_ messages: [Message]) {
        guard !messages.isEmpty else {
            return
        }
        self.machine.recordNotSent()
        self.output.show(.unsent(messages))
    }

    // MARK: Signals and the terminal

    func interrupted(promptHasText: Bool, at now: Duration) {
        guard !self.isOver else {
            return
        }
        switch self.machine.interruptReceived(promptHasText: promptHasText, at: now) {
        case .clearLine:
            self.output.editor?.clearLine()
        case .ending(let action):
            self.carryOut(action)
        }
    }

    func terminated(at now: Duration) {
        guard !self.isOver else {
            return
        }
        self.carryOut(self.machine.terminationRequested(at: now))
    }

    /// SIGHUP, or the terminal went away under the prompt.
    func hungUp(at now: Duration) {
        guard !self.isOver else {
            return
        }
        self.output.stopPrompt()
        self.carryOut(self.machine.hangUpReceived(at: now))
    }

    func outputClosed(failed: Bool, at now: Duration) {
        self.carryOut(self.machine.standardOutputClosed(failed: failed, at: now))
    }
}
