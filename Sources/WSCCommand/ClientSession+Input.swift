import Dispatch
import NIOCore
import NIOPosix
import WSCCore
import WSCNetwork
import WSCTerminal

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The user's input (prompt, standard input), the waits that end a session, and signals.
extension ClientSession {
    // MARK: Input

    func startEditor() {
        self.output.startPrompt(
            for: .client,
            onLine: { [weak self] line in self?.handleLine(line) },
            onEndOfInput: { [weak self] in self?.requestClose(code: .normalClosure, reason: "") },
            onHangUp: { [weak self] in self?.terminalHungUp() }
        )
    }

    func startReadingInput() {
        let input = self.options.inputBatches()
        Task { @MainActor [weak self] in
            for await var batch in input.stream {
                guard let self, !self.finished else {
                    return
                }
                self.lastActivity = .now
                if let payloads = self.options.payloads(taking: &batch) {
                    self.send(binary: consume payloads)
                } else if self.options.slashCommands, !self.options.inputIsBinary {
                    // Lines may be commands: one at a time, and in a pipe a command waits
                    // for the open, as the messages before it do.
                    for line in self.options.lines(from: batch, complain: self.notSent) {
                        if !self.options.interactive, line.hasPrefix("/"), !self.isOpen {
                            await self.whenOpen()
                        }
                        self.handleLine(line)
                    }
                } else {
                    self.send(contentsOf: self.options.messages(from: batch, complain: self.notSent))
                }
                // Read on only when a connection has room: memory stays bounded.
                await self.whenReady()
                input.consumed()
            }
            self?.endOfInput()
        }
    }

    func handleLine(_ line: String) {
        self.lastActivity = .now
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

    func endOfInput() {
        self.inputEnded = true
        self.lastActivity = .now
        if self.isOpen {
            self.startWaitingAfterInput()
        }
    }

    /// Everything is sent and the connection is open: wait for replies as the options say.
    func startWaitingAfterInput() {
        guard self.options.count == nil, self.expectations == nil, !self.waitingAfterInput else {
            return
        }
        self.waitingAfterInput = true
        switch self.options.afterInput {
        case .waitForServer:
            break
        case .closeAfter(let duration):
            // The wait starts once the last send is written, not when it was handed over.
            Task { @MainActor [weak self] in
                while let self, let status = try? await self.client?.status().get(),
                    self.isDown || !self.isOpen || status.isSending || status.bufferedAmount > 0
                {
                    guard !self.finished, !self.closeRequested else {
                        return
                    }
                    try? await Task.sleep(for: .milliseconds(20))
                }
                try? await Task.sleep(for: duration)
                self?.requestClose(code: .normalClosure, reason: "")
            }
        case .closeWhenIdle(let idle):
            // Idle: nothing left to write, and no frame and no message either way for `idle`.
            Task { @MainActor [weak self] in
                while let self, !self.closeRequested, !self.finished, let client = self.client {
                    if self.isDown || !self.isOpen {
                        // Reconnecting: what waits is sent on the next connection first.
                        try? await Task.sleep(for: idle)
                        self.lastActivity = .now
                        continue
                    }
                    var due = self.lastActivity.advanced(by: idle)
                    if ContinuousClock.now >= due, let status = try? await client.status().get() {
                        due =
                            status.isSending || status.bufferedAmount > 0 || status.isHoldingBack
                            ? ContinuousClock.now.advanced(by: idle)
                            : max(due, status.lastTraffic.advanced(by: idle))
                        if ContinuousClock.now >= due {
                            self.requestClose(code: .normalClosure, reason: "")
                            return
                        }
                    }
                    try? await Task.sleep(until: due)
                }
            }
        }
    }

    /// `--timeout`: when it runs out, close and exit 124.
    func startTimeLimit(_ limit: Duration) {
        Task { @MainActor [weak self] in
            try? await Task.sleep(for: limit)
            guard let self, !self.finished else {
                return
            }
            let (seconds, attoseconds) = limit.components
            let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
            self.show(.error(ConnectionError(.timeout, "timed out: --timeout of \(milliseconds) ms ran out")))
            self.statusOverride = .timeout
            if self.closeRequested || !self.isOpen {
                self.quitNow(.timeout)
            } else {
                self.requestClose(code: .normalClosure, reason: "")
            }
        }
    }

    func requestClose(code: CloseCode?, reason: String) {
        let first = !self.closeRequested
        self.closeRequested = true
        self.reconnectWait?.cancel()
        self.client?.close(code: code, reason: reason)
        if first, self.options.interactive, self.isOpen {
            self.closingNotice = Task { @MainActor [weak self] in
                try? await Task.sleep(for: .seconds(1))
                guard let self, !Task.isCancelled, !self.finished, !self.closeShown else {
                    return
                }
                let limit = EventFormatter.seconds(self.configuration.closeTimeout)
                self.inform("closing: no answer from the server yet (Ctrl-C quits now; --close-timeout \(limit))")
            }
        }
    }

    // MARK: Signals

    func received(signal signalNumber: CInt) {
        switch signalNumber {
        case SIGINT:
            if let editor = self.output.editor, editor.hasText {
                editor.clearLine()
            } else if self.closeRequested {
                self.quitNow(.interrupted)
            } else {
                if self.output.editor == nil {
                    self.statusOverride = .interrupted
                }
                self.requestClose(code: .normalClosure, reason: "")
            }
        case SIGTERM:
            self.statusOverride = .terminated
            if self.closeRequested {
                self.quitNow(.terminated)
            }
            self.requestClose(code: .goingAway, reason: "")
        default:
            self.terminalHungUp()
        }
    }

    func terminalHungUp() {
        self.output.stopPrompt()
        self.statusOverride = self.statusOverride ?? .hungUp
        self.requestClose(code: .goingAway, reason: "")
    }

    /// Leaves without waiting for the close handshake.
    func quitNow(_ status: ExitStatus) {
        self.statusOverride = status
        self.reconnectWait?.cancel()
        if !self.closeShown, !self.isDown, self.client != nil {
            // A close is always reported, once: here without the server's answer.
            self.closeShown = true
            self.show(.close(.abnormal(initiator: .user)))
        }
        self.events?.finish()
    }
}
