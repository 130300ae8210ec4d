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

/// `wsc --listen`: serves any number of clients and sends them what the user types or pipes in.
///
/// Shows the clients' events with their ids.
///
/// Typed or piped lines go to every client; input that arrives while no client is
/// connected waits, in pipe mode, for the first one. The session ends on Ctrl-D, `/quit`,
/// a signal, `--count`, `--expect` or `--timeout`: it stops listening, closes every
/// client with 1001 and waits (at most the close timeout) for them to answer.
@MainActor
final class ListenSession {
    /// A client whose connection is open.
    struct ConnectedClient {
        var client: ServerClient
        var remoteAddress: String
    }

    let configuration: ServerConfiguration
    let options: SessionOptions
    let output: SessionOutput
    var server: WebSocketServer?
    /// Open clients by id.
    private(set) var clients: [Int: ConnectedClient] = [:]
    /// Clients served since the start, and requests refused.
    private(set) var clientsServed = 0
    private(set) var requestsRefused = 0
    private var messagesReceived = 0
    /// Received messages are reported as handled in batches of this many per client.
    static let acknowledgementBatch = 256
    /// Messages shown but not yet reported as handled to their connection, by client.
    private var unacknowledged: [Int: Int] = [:]
    var events: AsyncStream<ServerEvent>.Continuation?
    private var signals: SignalWatcher?
    /// Set once the session is ending: no new clients, every one being closed.
    var quitting = false
    /// A status decided by a signal or a time limit (otherwise 0).
    var statusOverride: ExitStatus?
    /// Set once a record of input was not sent (too long, not UTF-8): the exit status says so.
    private var inputNotSent = false
    private var enoughReceived = false
    private var expectations: ExpectationTracker?
    /// Piped input waiting for a first client.
    var clientWaiters: [CheckedContinuation<Void, Never>] = []

    init(configuration: ServerConfiguration, options: SessionOptions) {
        self.configuration = configuration
        self.options = options
        self.output = SessionOutput(style: options.style, ndjson: options.ndjson)
    }

    /// Serves until the session ends; returns the exit status.
    func run() async -> ExitStatus {
        let (stream, continuation) = AsyncStream.makeStream(of: ServerEvent.self, bufferingPolicy: .unbounded)
        self.events = continuation
        do {
            self.server = try await WebSocketServer.start(self.configuration, on: MultiThreadedEventLoopGroup.singleton)
            { event in
                continuation.yield(event)
            }.get()
        } catch let error as ConnectionError {
            self.output.diagnostic("error: cannot serve wss:// on \(self.listenTarget): \(error.message)")
            return .noInput
        } catch {
            self.output.diagnostic("error: cannot listen on \(self.listenTarget): \(ConnectionError.describe(error))")
            return .unavailable
        }
        self.signals = SignalWatcher([SIGINT, SIGTERM, SIGHUP]) { [weak self] signalNumber in
            self?.received(signal: signalNumber)
        }
        self.output.onClosed = { [weak self] in
            self?.quit()
        }
        self.expectations =
            self.options.expectations.isEmpty ? nil : try? ExpectationTracker(patterns: self.options.expectations)
        if let timeout = self.options.timeout {
            self.startTimeLimit(timeout)
        }
        if self.options.interactive {
            self.startEditor()
        } else {
            self.startReadingInput()
        }
        self.announce()

        for await event in stream {
            self.handle(event)
        }
        self.output.flush()
        self.output.editor?.stop()
        self.signals?.cancel()
        return (self.statusOverride ?? .success).counting(
            outputFailed: self.output.writeFailure != nil,
            inputNotSent: self.inputNotSent
        )
    }

    /// The address asked for, as the user wrote it: `127.0.0.1:8080` or `unix:/run/s.sock`.
    private var listenTarget: String {
        self.configuration.unixSocketPath.map { "unix:\($0)" }
            ?? "\(self.configuration.host):\(self.configuration.port)"
    }

    /// Says where clients can connect (the port is the real one when 0 was asked for).
    private func announce() {
        guard let server = self.server else {
            return
        }
        if self.options.ndjson {
            let time = NDJSON.timestamp(milliseconds: SessionOutput.epochMilliseconds())
            self.output.writeJSONLine(#"{"event":"listening","url":\#(NDJSON.string(server.url)),"time":"\#(time)"}"#)
            return
        }
        var notes: [String] = []
        if self.configuration.echo {
            notes.append("echo")
        }
        if self.options.interactive {
            notes.append("type to send to every client, /help for commands, Ctrl-D to stop")
        }
        let text = "Listening on \(server.url)" + (notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))")
        self.output.inform(self.output.renderer.noticeText(text))
    }

    // MARK: Events

    private func handle(_ event: ServerEvent) {
        switch event {
        case .refused(let remoteAddress, let reason):
            self.requestsRefused += 1
            self.show(.error(ConnectionError(.handshake, "refused \(remoteAddress): \(reason)")), client: nil)
        case .client(let client, let event):
            self.handle(event, from: client)
        }
    }

    private func handle(_ event: ConnectionEvent, from client: ServerClient) {
        switch event {
        case .open(let info):
            self.clientsServed += 1
            self.clients[client.id] = ConnectedClient(client: client, remoteAddress: info.remoteAddress ?? "?")
            self.show(event, client: client.id)
            if self.quitting {
                client.connection.close(code: .goingAway, reason: "")
                return
            }
            self.greet(client)
            let waiters = self.clientWaiters
            self.clientWaiters.removeAll()
            for waiter in waiters {
                waiter.resume()
            }
        case .message(let message):
            // Handled, shown or not: a client that goes on sending must still be read, so
            // that its answer to our close arrives.
            self.acknowledge(client)
            guard !self.enoughReceived else {
                return
            }
            self.messagesReceived += 1
            self.show(event, client: client.id)
            let counted = self.options.count.map { self.messagesReceived >= $0 } ?? false
            let expected = self.expectations?.received(message) ?? false
            if counted || expected {
                self.enoughReceived = true
                self.quit()
            }
        case .close:
            self.clients[client.id] = nil
            self.unacknowledged[client.id] = nil
            self.show(event, client: client.id)
            if self.quitting, self.clients.isEmpty {
                self.events?.finish()
            }
        case .error, .ping, .pong, .progress, .handshake, .redirect, .unsent, .reconnect:
            self.show(event, client: client.id)
        }
    }

    func show(_ event: ConnectionEvent, client: Int?) {
        self.output.show(event, client: client)
    }

    /// Reports shown messages to their connection in batches.
    ///
    /// This way a slow terminal or pipe slows that client down instead of filling memory.
    private func acknowledge(_ client: ServerClient) {
        let count = self.unacknowledged[client.id, default: 0] + 1
        if count == Self.acknowledgementBatch {
            client.connection.acknowledge(count)
            self.unacknowledged[client.id] = 0
        } else {
            self.unacknowledged[client.id] = count
        }
    }

    /// Sends a new client what the command line gave (`-x`, `--json`, `--file`, `--text-file`).
    private func greet(_ client: ServerClient) {
        for send in self.options.commandLineSends {
            switch send {
            case .message(let message):
                client.connection.send(message)
            case .file(let path):
                do {
                    client.connection.send(try LocalFile.outgoing(path))
                } catch {
                    self.complain(error.message)
                }
            }
        }
    }

    // MARK: Sending

    /// Where clients connect, while the server listens.
    var listeningURL: String? {
        self.quitting ? nil : self.server?.url
    }

    /// The open clients, by id.
    var clientsInOrder: [ConnectedClient] {
        self.clients.keys.sorted().compactMap { self.clients[$0] }
    }

    /// Sends messages to every open client; false (and a complaint) when there is none.
    @discardableResult
    func broadcast(_ messages: [Message]) -> Bool {
        guard !self.clients.isEmpty else {
            self.complain("not sent: no clients are connected")
            return false
        }
        for connected in self.clients.values {
            connected.client.connection.send(contentsOf: messages)
        }
        return true
    }

    /// An input error: shown, nothing sent.
    func complain(_ message: String) {
        self.show(.error(ConnectionError(.input, message)), client: nil)
    }

    /// A record of standard input that is not sent: said, and counted in the exit status.
    private func notSent(_ message: String) {
        self.inputNotSent = true
        self.complain(message)
    }

    /// A line for the user that is not an event (help, lists, status).
    func inform(_ text: String) {
        self.output.inform(text)
    }

    // MARK: Input

    private func startEditor() {
        self.output.startPrompt(
            for: .server,
            onLine: { [weak self] line in self?.handleLine(line) },
            onEndOfInput: { [weak self] in self?.quit() },
            onHangUp: { [weak self] in self?.terminalHungUp() }
        )
    }

    /// Pipe mode: each batch of records waits for a client, then goes to every client.
    ///
    /// The next batch is read once all of them have room (a client that does not read holds the
    /// input back for all). The end of input ends nothing.
    private func startReadingInput() {
        let input = self.options.inputBatches()
        Task { @MainActor [weak self] in
            for await var batch in input.stream {
                guard let self else {
                    return
                }
                await self.waitForAClient()
                guard !self.quitting else {
                    return
                }
                if let payloads = self.options.payloads(taking: &batch) {
                    // A server does not mask: every client writes the same buffers.
                    for connected in self.clients.values {
                        connected.client.connection.send(binary: payloads)
                    }
                } else if self.options.slashCommands, !self.options.inputIsBinary {
                    for line in self.options.lines(from: batch, complain: self.notSent) {
                        self.handleLine(line)
                    }
                } else {
                    self.broadcast(self.options.messages(from: batch, complain: self.notSent))
                }
                for connected in self.clients.values {
                    try? await connected.client.connection.whenReady().get()
                }
                input.consumed()
            }
        }
    }

    /// Returns once a client is connected, or the session is ending.
    private func waitForAClient() async {
        // Looped: the client that woke us may be gone by the time we run.
        while self.clients.isEmpty, !self.quitting {
            await withCheckedContinuation { continuation in
                self.clientWaiters.append(continuation)
            }
        }
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
}
