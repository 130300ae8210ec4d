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

/// One run of the client: connects, feeds it the user's input, shows its events, and
/// decides the exit status.
@MainActor
final class ClientSession {
    /// How the session talks to the user.
    struct Options {
        /// A prompt at a terminal (stdin and stdout are terminals), or plain pipes.
        var interactive: Bool
        /// Whether lines starting with `/` are commands.
        var slashCommands: Bool
        /// How events are shown.
        var style: OutputStyle
        /// Messages given on the command line (`-x`, `--json`, `--file`, `--text-file`);
        /// when there are any, standard input is not read.
        var commandLineSends: [PreparedSend] = []
        /// How standard input is cut into messages.
        var inputFraming: InputFraming = .lines(separator: UInt8(ascii: "\n"))
        /// Send standard input's records as binary messages (`-b`).
        var inputIsBinary = false
        /// What to do once everything is sent.
        var afterInput: AfterInput = .closeWhenIdle(.seconds(2))
        /// Close once this many messages arrived (`--count`).
        var count: Int?
        /// Close once received text matched these (`--expect`).
        var expectations: [String] = []
        /// The overall time limit (`--timeout`): exit 124 when it runs out.
        var timeout: Duration?
        /// Every event as a JSON line on standard output (`--ndjson`).
        var ndjson = false
    }

    /// A message prepared from the command line.
    enum PreparedSend {
        case message(Message)
        case file(OutgoingFile)
    }

    /// How standard input becomes messages.
    enum InputFraming {
        /// One message per record ending with this byte.
        case lines(separator: UInt8)
        /// All of it as one message (`--whole`).
        case whole
    }

    /// What happens after the last send.
    enum AfterInput {
        /// Close once nothing was sent or received for this long (the default, 2 s).
        case closeWhenIdle(Duration)
        /// Close this long after the last send (`-w`).
        case closeAfter(Duration)
        /// Keep the connection until the server closes it (`-w -1`, `--keep-open`).
        case waitForServer
    }

    let configuration: ClientConfiguration
    let options: Options
    let renderer: EventRenderer
    private(set) var client: WebSocketClient?
    private var editor: LineEditor?
    private var events: AsyncStream<ConnectionEvent>.Continuation?
    private var signalSources: [DispatchSourceSignal] = []
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
    /// Received messages are reported as handled in batches of this many.
    static let acknowledgementBatch = 256
    /// Received payloads not yet written to standard output.
    private var outputBuffer: [UInt8] = []
    private var outputFlushScheduled = false
    /// Standard output is written once this much is buffered.
    static let outputBufferLimit = 64 * 1024
    /// Set once standard output is gone (`| head -1`): nothing more is written there.
    private var outputClosed = false

    init(configuration: ClientConfiguration, options: Options) {
        self.configuration = configuration
        self.options = options
        self.renderer = EventRenderer(style: options.style)
    }

    /// Runs until the connection is over; returns the exit status.
    func run() async -> ExitStatus {
        let (stream, continuation) = AsyncStream.makeStream(of: ConnectionEvent.self, bufferingPolicy: .unbounded)
        self.events = continuation
        self.client = WebSocketClient.connect(self.configuration, on: MultiThreadedEventLoopGroup.singleton) { event in
            continuation.yield(event)
            if case .close = event {
                continuation.finish()
            }
        }
        self.installSignalHandlers()
        // A closed standard output is handled where it is written, not by dying of SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        self.expectations = self.options.expectations.isEmpty ? nil : try? ExpectationTracker(patterns: self.options.expectations)
        if let timeout = self.options.timeout {
            self.startTimeLimit(timeout)
        }
        if self.options.interactive {
            self.startEditor()
        } else if !self.options.commandLineSends.isEmpty {
            for send in self.options.commandLineSends {
                switch send {
                case .message(let message): self.client?.send(message)
                case .file(let file): self.client?.send(file)
                }
            }
            self.endOfInput()
        } else {
            self.startReadingInput()
        }
        var handled = 0
        for await event in stream {
            self.handle(event)
            if case .message = event {
                handled += 1
                if handled == Self.acknowledgementBatch {
                    self.client?.acknowledge(handled)
                    handled = 0
                }
            }
        }
        self.flushOutput()
        self.editor?.stop()
        for source in self.signalSources {
            source.cancel()
        }
        if let statusOverride {
            return statusOverride
        }
        if let failureBeforeOpen {
            return ExitStatus(failedWith: failureBeforeOpen)
        }
        return self.closeInfo.map(ExitStatus.init(closedWith:)) ?? .closedAbnormally
    }

    // MARK: Events

    private func handle(_ event: ConnectionEvent) {
        switch event {
        case .open:
            self.isOpen = true
            self.lastActivity = .now
            if self.inputEnded {
                self.startWaitingAfterInput()
            }
        case .message(let message):
            guard !self.enoughReceived else {
                // --count or --expect is satisfied: what still arrives while closing is not asked for.
                return
            }
            self.lastActivity = .now
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
            if !self.isOpen {
                self.failureBeforeOpen = error
            }
        case .close(let info):
            self.closeInfo = info
        case .ping, .pong, .progress, .handshake:
            break
        }
        self.show(event)
    }

    private func show(_ event: ConnectionEvent) {
        if self.options.ndjson {
            if let line = NDJSON.line(for: event, time: Self.epochMilliseconds(), showPingPong: self.options.style.showPingPong) {
                self.writeOutput(line.utf8, newline: true)
            }
            return
        }
        if let editor = self.editor {
            if let text = self.renderer.terminalText(for: event) {
                editor.print(text)
            }
            return
        }
        if case .message(let message) = event {
            self.writePayload(message)
        } else if let text = self.renderer.diagnosticText(for: event) {
            // Payloads received before this event go out first.
            self.flushOutput()
            OutputStream.standardError.write(text + "\n")
        }
    }

    /// Pipe mode: a received payload on standard output.
    private func writePayload(_ message: Message) {
        switch message {
        case .text(let text):
            self.writeOutput(text.utf8, newline: true)
        case .binary(let bytes):
            switch self.options.style.binaryFormat {
            case .raw:
                self.writeOutput(bytes, newline: false)
            case .base64:
                self.writeOutput(Base64.encode(bytes).utf8, newline: true)
            case .hex:
                self.writeOutput(EventFormatter.hex(bytes).replacingSpaces().utf8, newline: true)
            case .summary:
                self.writeOutput("[binary \(bytes.count) bytes]".utf8, newline: true)
            }
        }
    }

    /// Adds to standard output's buffer; it is written at 64 KiB, at the end of this turn
    /// of the main queue, and before the session ends.
    private func writeOutput<Bytes: Collection<UInt8>>(_ bytes: Bytes, newline: Bool) {
        guard !self.outputClosed else {
            return
        }
        self.outputBuffer.append(contentsOf: bytes)
        if newline {
            self.outputBuffer.append(UInt8(ascii: "\n"))
        }
        if self.outputBuffer.count >= Self.outputBufferLimit {
            self.flushOutput()
        } else if !self.outputFlushScheduled {
            self.outputFlushScheduled = true
            DispatchQueue.main.async { [weak self] in
                MainActor.assumeIsolated {
                    self?.flushOutput()
                }
            }
        }
    }

    /// Writes the buffer (blocking while the reader is slow: that is the back-pressure);
    /// when the reader is gone, closes the connection quietly.
    private func flushOutput() {
        self.outputFlushScheduled = false
        guard !self.outputBuffer.isEmpty, !self.outputClosed else {
            return
        }
        if !OutputStream.standardOutput.write(self.outputBuffer) {
            self.outputClosed = true
            self.requestClose(code: .normalClosure, reason: "")
        }
        self.outputBuffer.removeAll(keepingCapacity: true)
    }

    /// Milliseconds since the Unix epoch, for `--ndjson` timestamps.
    static func epochMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    /// A line for the user that is not a connection event (help, status, input errors).
    func inform(_ text: String) {
        if let editor = self.editor {
            editor.print(text)
        } else {
            self.flushOutput()
            OutputStream.standardError.write(text + "\n")
        }
    }

    /// An input error: shown, nothing sent.
    func complain(_ message: String) {
        self.show(.error(ConnectionError(.input, message)))
    }

    // MARK: Input

    private func startEditor() {
        let editor = LibEditLineEditor(
            prompt: "> ",
            historyFile: HistoryLocation.defaultPath(),
            commands: SlashCommand.descriptions.map(\.name)
        )
        self.editor = editor
        editor.start(
            onLine: { [weak self] line in self?.handleLine(line) },
            onEndOfInput: { [weak self] in self?.requestClose(code: .normalClosure, reason: "") },
            onHangUp: { [weak self] in self?.terminalHungUp() }
        )
    }

    private func startReadingInput() {
        let input: InputBatches
        switch self.options.inputFraming {
        case .lines(let separator): input = InputLineReader.records(separator: separator)
        case .whole: input = InputLineReader.whole()
        }
        Task { @MainActor [weak self] in
            for await batch in input.stream {
                guard let self, let client = self.client else {
                    return
                }
                self.lastActivity = .now
                if self.options.slashCommands, !self.options.inputIsBinary {
                    // Lines may be commands: one at a time.
                    for record in batch {
                        guard let line = String(validating: record, as: UTF8.self) else {
                            self.complain("line not sent: it is not valid UTF-8")
                            continue
                        }
                        self.handleLine(line)
                    }
                } else {
                    client.send(contentsOf: self.messages(from: batch))
                }
                // Read on only when the connection has room: memory stays bounded.
                try? await client.whenReady().get()
                input.consumed()
            }
            self?.endOfInput()
        }
    }

    /// A batch of input records as messages (lines that are not UTF-8 are reported, not sent).
    private func messages(from batch: [[UInt8]]) -> [Message] {
        var messages: [Message] = []
        messages.reserveCapacity(batch.count)
        for record in batch {
            if self.options.inputIsBinary {
                messages.append(.binary(record))
            } else if let line = String(validating: record, as: UTF8.self) {
                messages.append(.text(line))
            } else {
                self.complain("line not sent: it is not valid UTF-8")
            }
        }
        return messages
    }

    func handleLine(_ line: String) {
        self.lastActivity = .now
        if self.options.interactive, line.isEmpty {
            return
        }
        do {
            switch try InputLine(parsing: line, slashCommands: self.options.slashCommands) {
            case .text(let text):
                self.client?.send(.text(text))
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
        guard self.options.count == nil, self.expectations == nil else {
            return
        }
        switch self.options.afterInput {
        case .waitForServer:
            break
        case .closeAfter(let duration):
            // The wait starts once the last send is written, not when it was handed over.
            Task { @MainActor [weak self] in
                while let client = self?.client, let status = try? await client.status().get(),
                    status.isSending || status.bufferedAmount > 0
                {
                    try? await Task.sleep(for: .milliseconds(20))
                }
                try? await Task.sleep(for: duration)
                self?.requestClose(code: .normalClosure, reason: "")
            }
        case .closeWhenIdle(let idle):
            // Idle: nothing left to write, and no frame and no message either way for `idle`.
            Task { @MainActor [weak self] in
                while let self, !self.closeRequested, let client = self.client {
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
            guard let self, self.closeInfo == nil else {
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
        self.closeRequested = true
        self.client?.close(code: code, reason: reason)
    }

    // MARK: Signals

    private func installSignalHandlers() {
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .main)
            source.setEventHandler { [weak self] in
                MainActor.assumeIsolated {
                    self?.received(signal: signalNumber)
                }
            }
            source.resume()
            self.signalSources.append(source)
        }
    }

    private func received(signal signalNumber: CInt) {
        switch signalNumber {
        case SIGINT:
            if let editor = self.editor, editor.hasText {
                editor.clearLine()
            } else if self.closeRequested {
                self.quitNow(.interrupted)
            } else {
                if self.editor == nil {
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
        self.editor?.stop()
        self.editor = nil
        self.statusOverride = self.statusOverride ?? .hungUp
        self.requestClose(code: .goingAway, reason: "")
    }

    /// Leaves without waiting for the close handshake.
    private func quitNow(_ status: ExitStatus) {
        self.statusOverride = status
        self.events?.finish()
    }
}

extension String {
    /// Hex with the separating spaces removed (`6869ff`), for pipes.
    fileprivate func replacingSpaces() -> String {
        String(self.filter { $0 != " " })
    }
}
