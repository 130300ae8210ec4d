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
    /// In pipe mode: end of input was reached; close once replies had time to arrive.
    private var inputEnded = false

    /// How long pipe mode waits for replies after the last line before closing.
    static let replyWait: Duration = .seconds(2)

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
        if self.options.interactive {
            self.startEditor()
        } else {
            self.startReadingInput()
        }
        for await event in stream {
            self.handle(event)
        }
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
            if self.inputEnded {
                self.scheduleCloseAfterReplies()
            }
        case .error(let error):
            if !self.isOpen {
                self.failureBeforeOpen = error
            }
        case .close(let info):
            self.closeInfo = info
        case .message, .ping, .pong, .progress, .handshake:
            break
        }
        self.show(event)
    }

    private func show(_ event: ConnectionEvent) {
        if let editor = self.editor {
            if let text = self.renderer.terminalText(for: event) {
                editor.print(text)
            }
            return
        }
        if case .message(let message) = event {
            self.writePayload(message)
        } else if let text = self.renderer.diagnosticText(for: event) {
            OutputStream.standardError.write(text + "\n")
        }
    }

    /// Pipe mode: a received payload on standard output.
    private func writePayload(_ message: Message) {
        let out = OutputStream.standardOutput
        switch message {
        case .text(let text):
            out.write(text + "\n")
        case .binary(let bytes):
            switch self.options.style.binaryFormat {
            case .raw:
                out.write(bytes)
            case .base64:
                out.write(Base64.encode(bytes) + "\n")
            case .hex:
                out.write(EventFormatter.hex(bytes).replacingSpaces() + "\n")
            case .summary:
                out.write("[binary \(bytes.count) bytes]\n")
            }
        }
    }

    /// A line for the user that is not a connection event (help, status, input errors).
    func inform(_ text: String) {
        if let editor = self.editor {
            editor.print(text)
        } else {
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
        let records = InputLineReader.records()
        Task { @MainActor [weak self] in
            for await record in records {
                guard let self else {
                    return
                }
                guard let line = String(validating: record, as: UTF8.self) else {
                    self.complain("line not sent: it is not valid UTF-8")
                    continue
                }
                self.handleLine(line)
            }
            self?.endOfInput()
        }
    }

    func handleLine(_ line: String) {
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
        if self.isOpen {
            self.scheduleCloseAfterReplies()
        }
    }

    private func scheduleCloseAfterReplies() {
        Task { @MainActor [weak self] in
            try? await Task.sleep(for: Self.replyWait)
            self?.requestClose(code: .normalClosure, reason: "")
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
