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
    var events: AsyncStream<[ConnectionEvent]>.Continuation?
    var signals: SignalWatcher?
    /// The error that ended the connection before it opened, if any.
    var failureBeforeOpen: ConnectionError?
    var isOpen = false
    /// Set once we asked to close (Ctrl-C, Ctrl-D, /close, /quit, end of input).
    var closeRequested = false
    /// A status decided by a signal, which wins over the close's.
    var statusOverride: ExitStatus?
    var closeInfo: CloseInfo?
    /// In pipe mode: everything there is to send was handed to the connection.
    var inputEnded = false
    /// When something was last sent or received (for the idle wait after input ends).
    var lastActivity = ContinuousClock.now
    var messagesReceived = 0
    /// Set once `--count` or `--expect` is satisfied.
    var enoughReceived = false
    var expectations: ExpectationTracker?
    /// Whether the wait for replies after the end of input has started.
    var waitingAfterInput = false
    /// Set once the session is over: nothing more is sent or shown.
    var finished = false
    /// Set once a record of input was not sent (too long, not UTF-8): the exit status says so.
    var inputNotSent = false
    /// Whether the current connection's close was shown (a close is shown exactly once).
    var closeShown = false
    /// At the prompt: says, a moment after the user closed, that the server has not answered.
    var closingNotice: Task<Void, Never>?

    /// `--reconnect`: the backoff, and what waits for the next connection.
    var reconnection: Reconnection?
    /// Between a lost connection and the next attempt: sends wait in `outbox`.
    private(set) var isDown = false
    /// The next attempt, decided when a connection ended.
    var nextAttempt: ReconnectAttempt?
    /// The delay before the next attempt (cancelled when the user closes).
    var reconnectWait: Task<Void, Never>?
    /// Sends for the next connection, in order.
    var outbox: [Outgoing] = []
    /// Messages the current connection gave back (`unsent`) before it ended.
    var returned: [Message] = []
    /// How many messages at the head of `outbox` were given back by the last connection.
    var returnedCount = 0
    /// Whether the current connection has ended (its close event was handled).
    var connectionEnded = false
    /// When the current connection opened.
    var openedAt: ContinuousClock.Instant?
    /// Readers of standard input waiting for the next connection.
    var upWaiters: [CheckedContinuation<Void, Never>] = []
    /// Piped slash commands waiting for the connection to open.
    var openWaiters: [CheckedContinuation<Void, Never>] = []

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
        self.expectations =
            self.options.expectations.isEmpty ? nil : try? ExpectationTracker(patterns: self.options.expectations)
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
        return self.connectionStatus.counting(
            outputFailed: self.output.writeFailure != nil,
            inputNotSent: self.inputNotSent
        )
    }

    /// The exit status as the connection's end (or a signal, or the time limit) decides it.
    var connectionStatus: ExitStatus {
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
    func connect() -> AsyncStream<[ConnectionEvent]> {
        let (stream, continuation) = AsyncStream.makeStream(of: [ConnectionEvent].self, bufferingPolicy: .unbounded)
        self.events = continuation
        // With --reconnect the session ends the stream itself, once given-back messages are in.
        let endsAtClose = self.reconnection == nil
        let client = WebSocketConnection.connect(self.configuration, on: MultiThreadedEventLoopGroup.singleton) {
            (batch: [ConnectionEvent]) in
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
    func reconnectionDecision(after info: CloseInfo) {
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
    func takeBack(_ messages: [Message]) {
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
    func dropOutbox() {
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
    func whenOpen() async {
        while !self.isOpen, !self.finished {
            await withCheckedContinuation { self.openWaiters.append($0) }
        }
    }

    /// Resumes every task waiting in `waiters`, and empties the list.
    static func release(_ waiters: inout [CheckedContinuation<Void, Never>]) {
        let released = waiters
        waiters = []
        for waiter in released {
            waiter.resume()
        }
    }

    // MARK: Events

    func handle(_ event: ConnectionEvent) {
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

    func show(_ event: ConnectionEvent) {
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
    func notSent(_ message: String) {
        self.inputNotSent = true
        self.complain(message)
    }

}
