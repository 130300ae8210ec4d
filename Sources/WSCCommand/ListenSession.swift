import NIOCore
import NIOPosix
import WSCCore
import WSCNetwork
import WSCTerminal

/// `wsc --listen`: serves any number of clients and sends them what the user types or pipes in.
///
/// Carries out what its ``ListenStateMachine`` decides; a ``SessionRunner`` hands it
/// everything that happens, in order. Typed or piped lines go to every client; input that
/// arrives while no client is connected waits, in pipe mode, for the first one. The session
/// ends on Ctrl-D, `/quit`, a signal, `--count`, `--expect` or `--timeout`: it stops
/// listening, closes every client with 1001 and waits (at most the close timeout) for them
/// to answer.
@MainActor
final class ListenSession: SessionTarget {
    typealias Event = ServerEvent

    /// A client whose connection is open.
    struct ConnectedClient {
        var client: ServerClient
        var remoteAddress: String
    }

    static let role = ConnectionRole.server
    /// Received messages are reported as handled in batches of this many per client.
    static let acknowledgementBatch = 256

    let configuration: ServerConfiguration
    let options: SessionOptions
    let runner: SessionRunner<ServerEvent>
    var machine: ListenStateMachine
    var server: WebSocketServer?
    /// Whether the server still listens (display only: `/status`).
    private(set) var listening = false
    /// Open clients by id.
    private(set) var clients: [Int: ConnectedClient] = [:]
    /// Clients served since the start, and requests refused (display only: `/status`).
    private(set) var clientsServed = 0
    private(set) var requestsRefused = 0
    /// Messages handled but not yet reported as handled to their connection, by client.
    private var unacknowledged: [Int: Int] = [:]

    var output: SessionOutput { self.runner.output }

    init(configuration: ServerConfiguration, options: SessionOptions) {
        self.configuration = configuration
        self.options = options
        self.runner = SessionRunner(options: options)
        self.machine = ListenStateMachine(interactive: options.interactive, limit: options.receiveLimit())
    }

    /// Serves until the session ends; returns the exit status.
    func run() async -> ExitStatus {
        await self.runner.run(self)
    }

    var isDone: Bool { self.machine.exitStatus != nil }
    var exitStatus: ExitStatus? { self.machine.exitStatus }
    /// The command line's sends greet each client; standard input goes to all of them.
    var readsInputWithCommandLineSends: Bool { true }

    func start(at now: Duration) async -> ExitStatus? {
        let runner = self.runner
        do {
            self.server = try await WebSocketServer.start(self.configuration, on: MultiThreadedEventLoopGroup.singleton)
            { event in
                runner.post(event)
            }.get()
        } catch let error as ConnectionError {
            self.output.diagnostic("error: cannot serve wss:// on \(self.listenTarget): \(error.message)")
            return .noInput
        } catch {
            self.output.diagnostic("error: cannot listen on \(self.listenTarget): \(ConnectionError.describe(error))")
            return .unavailable
        }
        self.listening = true
        self.announce()
        return nil
    }

    /// The command line's sends go to each client as it opens.
    func sendCommandLine(at now: Duration) {}

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
        var notes: [String] = []
        if self.configuration.echo {
            notes.append("echo")
        }
        if self.options.interactive {
            notes.append("type to send to every client, /help for commands, Ctrl-D to stop")
        }
        self.output.listening(on: server.url, notes: notes)
    }

    // MARK: Events

    func received(_ event: ServerEvent, at now: Duration) {
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
            let action = self.machine.clientOpened(client.id)
            self.show(event, client: client.id)
            switch action {
            case .showGreetAndReleaseInput:
                self.greet(client)
                self.runner.releaseHeldInput()
            case .showAndClose(let code):
                client.connection.close(code: code, reason: "")
            }
        case .message(let message):
            // Handled, shown or not: a client that goes on sending must still be read, so
            // that its answer to our close arrives.
            self.acknowledge(client)
            switch self.machine.messageReceived(from: client.id, message) {
            case .show:
                self.show(event, client: client.id)
            case .ignore:
                break
            case .showAndQuit(let quit):
                self.show(event, client: client.id)
                self.carryOut(quit)
            }
        case .close:
            self.clients[client.id] = nil
            self.unacknowledged[client.id] = nil
            switch self.machine.clientClosed(client.id) {
            case .show, .showAndFinish:
                self.show(event, client: client.id)
            }
        case .error, .ping, .pong, .progress, .handshake, .redirect, .unsent, .reconnect:
            self.show(event, client: client.id)
        }
    }

    func show(_ event: ConnectionEvent, client: Int?) {
        self.output.show(event, client: client)
    }

    /// Reports handled messages to their connection in batches.
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

    /// Carries out the machine's way to quit.
    func carryOut(_ action: ListenStateMachine.QuitAction) {
        switch action {
        case .none:
            break
        case .stopListeningAndClose(let ids, let code):
            self.stopListening()
            for id in ids {
                self.clients[id]?.client.connection.close(code: code, reason: "")
            }
        case .stopListeningAndFinish:
            self.stopListening()
        case .finish:
            self.runner.releaseHeldInput()
        }
    }

    /// Closes the listening socket: no new clients.
    private func stopListening() {
        self.listening = false
        self.server?.close().whenComplete { _ in }
        self.runner.releaseHeldInput()
    }

    // MARK: Sending

    /// Where clients connect, while the server listens.
    var listeningURL: String? {
        self.listening ? self.server?.url : nil
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

    /// A line for the user that is not an event (help, lists, status).
    func inform(_ text: String) {
        self.output.inform(text)
    }
}
