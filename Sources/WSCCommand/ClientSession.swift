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

/// One run of the client.
///
/// Connects, feeds the client the user's input, shows its events, and decides the exit status.
@MainActor
final class ClientSession {
    let configuration: ClientConfiguration
    let options: SessionOptions
    let output: SessionOutput
    /// The current connection (with `--reconnect`, the latest of them).
    private(set) var client: WebSocketConnection?
    /// The current connection's events, in batches.
    private var events: AsyncStream<[ConnectionEvent]>.Continuation?
    private var signals: SignalWatcher?
    /// The error that ended the connection before it opened, if any.
    private var failureBeforeOpen: ConnectionError?
    private var isOpen = false
    /// Set once we asked to close (Ctrl-C, Ctrl-D, /close, /quit, end of input).
    private var closeRequested = false
    /// A status decided by a signal, which wins over the close's.
    private var statusOverride: ExitStatus?
    private var closeInfo: CloseInfo?
    /// In pipe mode: everything there is to send was handed to the connection.
    private var inputEnded = false
    /// When something was last sent or received (for the idle wait after input ends).
    private var lastActivity = ContinuousClock.now
    private var messagesReceived = 0
    /// Set once `--count` or `--expect` is satisfied.
    private var enoughReceived = false
    private var expectations: ExpectationTracker?
    /// Whether the wait for replies after the end of input has started.
    private var waitingAfterInput = false
    /// Set once the session is over: nothing more is sent or shown.
    private var finished = false
    /// Set once a record of input was not sent (too long, not UTF-8): the exit status says so.
    private var inputNotSent = false
    /// Whether the current connection's close was shown (a close is shown exactly once).
    private var closeShown = false
    /// At the prompt: says, a moment after the user closed, that the server has not answered.
    private var closingNotice: Task<Void, Never>?

    /// `--reconnect`: the backoff, and what waits for the next connection.
    private var reconnection: Reconnection?
    /// Between a lost connection and the next attempt: sends wait in `outbox`.
    private(set) var isDown = false
    /// The next attempt, decided when a connection ended.
    private var nextAttempt: ReconnectAttempt?
    /// The delay before the next attempt (cancelled when the user closes).
    private var reconnectWait: Task<Void, Never>?
    /// Sends for the next connection, in order.
    private var outbox: [Outgoing] = []
    /// Messages the current connection gave back (`unsent`) before it ended.
    private var returned: [Message] = []
    /// How many messages at the head of `outbox` were given back by the last connection.
    private var returnedCount = 0
    /// Whether the current connection has ended (its close event was handled).
    private var connectionEnded = false
    /// When the current connection opened.
    private var openedAt: ContinuousClock.Instant?
    /// Readers of standard input waiting for the next connection.
    private var upWaiters: [CheckedContinuation<Void, Never>] = []
    /// Piped slash commands waiting for the connection to open.
    private var openWaiters: [CheckedContinuation<Void, Never>] = []

    /// Something to send on the next connection.
    enum Outgoing {
        case message(Message)
        case file(OutgoingFile)
    }

    init(configuration: ClientConfiguration, options: SessionOptions) {
        self.configuration = configuration
        self.options = options
        self.output = SessionOutput(style: options.style, ndjson: options.ndjson)
        self.reconnection = options.reconnection
    }

    /// Runs until the connection is over; returns the exit status.
    func run() async -> ExitStatus {
        var stream = self.connect()
        self.signals = SignalWatcher([SIGINT, SIGTERM, SIGHUP]) { [weak self] signalNumber in
            self?.received(signal: signalNumber)
        }
        self.output.onClosed = { [weak self] in
            self?.requestClose(code: .normalClosure, reason: "")
        }
        self.expectations = self.options.expectations.isEmpty ? nil : try? ExpectationTracker(patterns: self.options.expectations)
        if let timeout = self.options.timeout {
            self.startTimeLimit(timeout)
        }
        if self.options.interactive {
            self.startEditor()
        } else if !self.options.commandLineSends.isEmpty || self.options.echoesUntilClosed {
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
            self.endOfInput()
        } else {
            self.startReadingInput()
        }
        while true {
            let client = self.client
            for await batch in stream {
                var handled = 0
                for event in batch {
                    self.handle(event)
                    if case .message = event {
                        handled += 1
                    }
                }
                if handled > 0 {
                    self.lastActivity = .now
                    client?.acknowledge(handled)
                }
            }
            guard let attempt = self.nextAttempt, !self.closeRequested, self.statusOverride == nil else {
                break
            }
            self.nextAttempt = nil
            self.show(.reconnect(attempt))
            let wait = Task { _ = try? await Task.sleep(for: attempt.delay) }
            self.reconnectWait = wait
            await wait.value
            self.reconnectWait = nil
            guard !self.closeRequested, self.statusOverride == nil else {
                break
            }
            stream = self.connect()
        }
        self.finished = true
        self.closingNotice?.cancel()
        Self.release(&self.upWaiters)
        Self.release(&self.openWaiters)
        self.dropOutbox()
        self.output.flush()
        self.output.editor?.stop()
        self.signals?.cancel()
        return self.connectionStatus.counting(outputFailed: self.output.writeFailure != nil, inputNotSent: self.inputNotSent)
    }

    /// The exit status as the connection's end (or a signal, or the time limit) decides it.
    private var connectionStatus: ExitStatus {
        if let statusOverride {
            return statusOverride
        }
        if let failureBeforeOpen {
            return ExitStatus(failedWith: failureBeforeOpen)
        }
        return self.closeInfo.map(ExitStatus.init(closedWith:)) ?? .closedAbnormally
    }

    // MARK: Connections

    /// Starts a connection, hands it what waited for it, and returns its events.
    private func connect() -> AsyncStream<[ConnectionEvent]> {
        let (stream, continuation) = AsyncStream.makeStream(of: [ConnectionEvent].self, bufferingPolicy: .unbounded)
        self.events = continuation
        // With --reconnect the session ends the stream itself, once given-back messages are in.
        let endsAtClose = self.reconnection == nil
        let client = WebSocketConnection.connect(self.configuration, on: MultiThreadedEventLoopGroup.singleton) { (batch: [ConnectionEvent]) in
            continuation.yield(batch)
            if endsAtClose, case .close = batch.last {
                continuation.finish()
            }
        }
        self.client = client
        self.isOpen = false
        self.closeShown = false
        self.failureBeforeOpen = nil
        self.connectionEnded = false
        self.openedAt = nil
        self.returned = []
        self.returnedCount = 0
        self.isDown = false
        // What waited goes out in order: runs of messages with one hop and one flush each.
        var messages: [Message] = []
        for item in self.outbox {
            switch item {
            case .message(let message):
                messages.append(message)
            case .file(let file):
                client.send(contentsOf: messages)
                messages = []
                client.send(file)
            }
        }
        client.send(contentsOf: messages)
        self.outbox = []
        Self.release(&self.upWaiters)
        return stream
    }

    /// The current connection ended (`--reconnect`): decide whether to try again.
    ///
    /// Its events stream is finished after one round trip to its event loop: a send that
    /// reached it after it ended comes back (`unsent`) before that.
    private func reconnectionDecision(after info: CloseInfo) {
        self.connectionEnded = true
        if !self.closeRequested, self.statusOverride == nil, !self.enoughReceived,
            case .reconnect(let attempt, let delay) = self.reconnection?.connectionEnded(
                info,
                failure: self.failureBeforeOpen,
                openFor: self.openedAt.map { $0.duration(to: .now) },
                jitter: .random(in: 0..<1)
            )
        {
            self.nextAttempt = ReconnectAttempt(attempt: attempt, delay: delay)
            self.isDown = true
            self.outbox = self.returned.map { .message($0) }
            self.returnedCount = self.returned.count
        } else if !self.returned.isEmpty {
            self.show(.unsent(self.returned))
        }
        self.returned = []
        let continuation = self.events
        self.client?.status().whenComplete { _ in
            continuation?.finish()
        }
    }

    /// Messages the connection gave back: kept for the next connection, or reported.
    private func takeBack(_ messages: [Message]) {
        if !self.connectionEnded {
            self.returned += messages
        } else if self.isDown {
            // Given back messages were sent before anything sent since: they go first.
            self.outbox.insert(contentsOf: messages.map { .message($0) }, at: self.returnedCount)
            self.returnedCount += messages.count
        } else {
            self.show(.unsent(messages))
        }
    }

    /// The session ends with sends still waiting for a connection: say so, and close files.
    private func dropOutbox() {
        var messages: [Message] = []
        for item in self.outbox {
            switch item {
            case .message(let message):
                messages.append(message)
            case .file(let file):
                file.closeDescriptor()
                self.complain("'\(file.name)' not sent: the session ended before a connection opened")
            }
        }
        self.outbox = []
        if !messages.isEmpty {
            self.show(.unsent(messages))
        }
    }

    /// Returns once the connection is open (or the session ended).
    ///
    /// A piped `/close` must not overtake the lines before it, which wait for the open.
    private func whenOpen() async {
        while !self.isOpen, !self.finished {
            await withCheckedContinuation { self.openWaiters.append($0) }
        }
    }

    /// Resumes every task waiting in `waiters`, and empties the list.
    private static func release(_ waiters: inout [CheckedContinuation<Void, Never>]) {
        let released = waiters
        waiters = []
        for waiter in released {
            waiter.resume()
        }
    }

    // MARK: Sending

    /// Sends a message now, or on the next connection while there is none.
    func send(_ message: Message) {
        if self.isDown {
            self.outbox.append(.message(message))
        } else {
            self.client?.send(message)
        }
    }

    /// Sends a file now, or on the next connection while there is none.
    func send(_ file: OutgoingFile) {
        if self.isDown {
            self.outbox.append(.file(file))
        } else {
            self.client?.send(file)
        }
    }

    /// Sends messages in order, with one flush.
    private func send(contentsOf messages: [Message]) {
        if self.isDown {
            self.outbox += messages.map { .message($0) }
        } else {
            self.client?.send(contentsOf: messages)
        }
    }

    /// Sends binary messages in order, with one flush, each payload a buffer of its own that
    /// goes to the socket without a copy; on the next connection while there is none.
    private func send(binary payloads: consuming [ByteBuffer]) {
        if self.isDown {
            self.outbox += payloads.map { .message(.binary(Array($0.readableBytesView))) }
        } else {
            self.client?.send(binary: consume payloads)
        }
    }

    /// Returns once more input may be read: there is a connection with room to send.
    ///
    /// While reconnecting, that is once the next connection started (or the session ended).
    private func whenReady() async {
        while self.isDown, !self.finished {
            await withCheckedContinuation { self.upWaiters.append($0) }
        }
        try? await self.client?.whenReady().get()
    }

    // MARK: Events

    private func handle(_ event: ConnectionEvent) {
        switch event {
        case .open:
            self.isOpen = true
            Self.release(&self.openWaiters)
            self.openedAt = .now
            self.failureBeforeOpen = nil
            self.lastActivity = .now
            if self.inputEnded {
                self.startWaitingAfterInput()
            }
        case .message(let message):
            guard !self.enoughReceived else {
                // --count or --expect is satisfied: what still arrives while closing is not asked for.
                return
            }
            // lastActivity is set once per batch of messages, in run().
            self.messagesReceived += 1
            let counted = self.options.count.map { self.messagesReceived >= $0 } ?? false
            let expected = self.expectations?.received(message) ?? false
            if counted || expected {
                self.enoughReceived = true
                self.show(event)
                self.requestClose(code: .normalClosure, reason: "")
                return
            }
        case .error(let error):
            // The user's own input errors (a /ping while connecting) say nothing of the connection.
            if !self.isOpen, error.kind != .input {
                self.failureBeforeOpen = error
            }
        case .close(let info):
            self.closeInfo = info
            self.closeShown = true
            self.isOpen = false
            if self.reconnection != nil {
                self.show(event)
                self.reconnectionDecision(after: info)
                return
            }
        case .unsent(let messages):
            self.takeBack(messages)
            return
        case .ping, .pong, .progress, .handshake, .redirect, .reconnect:
            break
        }
        self.show(event)
    }

    private func show(_ event: ConnectionEvent) {
        self.output.show(event)
    }

    /// A line for the user that is not a connection event (help, status, input errors).
    func inform(_ text: String) {
        self.output.inform(text)
    }

    /// An input error: shown, nothing sent.
    func complain(_ message: String) {
        self.show(.error(ConnectionError(.input, message)))
    }

    /// A record of standard input that is not sent: said, and counted in the exit status.
    private func notSent(_ message: String) {
        self.inputNotSent = true
        self.complain(message)
    }

    // MARK: Input

    private func startEditor() {
        self.output.startPrompt(
            for: .client,
            onLine: { [weak self] line in self?.handleLine(line) },
            onEndOfInput: { [weak self] in self?.requestClose(code: .normalClosure, reason: "") },
            onHangUp: { [weak self] in self?.terminalHungUp() }
        )
    }

    private func startReadingInput() {
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
            switch try InputLine(parsing: line, slashCommands: self.options.slashCommands) {
            case .text(let text):
                self.send(.text(text))
            case .command(let command):
                self.run(command)
            }
        } catch {
            self.complain(error.message)
        }
    }

    private func endOfInput() {
        self.inputEnded = true
        self.lastActivity = .now
        if self.isOpen {
            self.startWaitingAfterInput()
        }
    }

    /// Everything is sent and the connection is open: wait for replies as the options say.
    private func startWaitingAfterInput() {
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
                        due = status.isSending || status.bufferedAmount > 0 || status.isHoldingBack
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
    private func startTimeLimit(_ limit: Duration) {
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

    private func received(signal signalNumber: CInt) {
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

    private func terminalHungUp() {
        self.output.stopPrompt()
        self.statusOverride = self.statusOverride ?? .hungUp
        self.requestClose(code: .goingAway, reason: "")
    }

    /// Leaves without waiting for the close handshake.
    private func quitNow(_ status: ExitStatus) {
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
