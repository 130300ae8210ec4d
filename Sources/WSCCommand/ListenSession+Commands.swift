import NIOCore
import WSCCore
import WSCNetwork

extension ListenSession {
    /// Carries out a command typed at the server's prompt.
    func run(_ command: ServerCommand) {
        switch command {
        case .clients:
            self.listClients()
        case .to(let id, let text):
            guard let connected = self.clients[id] else {
                self.complain("not sent: no client #\(id) (see /clients)")
                return
            }
            connected.client.connection.send(.text(text))
        case .closeClient(let id, let code, let reason):
            guard let connected = self.clients[id] else {
                self.complain("no client #\(id) (see /clients)")
                return
            }
            connected.client.connection.close(code: code, reason: reason)
        case .everyClient(let command):
            self.runForEveryClient(command)
        }
    }

    /// Carries out a client's command for every client.
    private func runForEveryClient(_ command: SlashCommand) {
        switch command {
        case .help:
            self.inform(SlashCommand.helpText(for: .server))
        case .close(let code, let reason):
            guard !self.clients.isEmpty else {
                self.complain("no clients are connected")
                return
            }
            for connected in self.clients.values {
                connected.client.connection.close(code: code, reason: reason)
            }
        case .ping(let payload):
            self.forEachClient { $0.ping(payload) }
        case .pong(let payload):
            self.forEachClient { $0.pong(payload) }
        case .json(let json):
            self.broadcast([.text(json)])
        case .file(let path):
            self.forEachClient { connection in
                do throws(InputError) {
                    connection.send(try LocalFile.outgoing(path))
                } catch {
                    self.complain(error.message)
                }
            }
        case .text(let path):
            do {
                let text = try LocalFile.readText(path, limit: self.configuration.maximumMessageSize)
                self.broadcast([.text(text)])
            } catch {
                self.complain(error.message)
            }
        case .status:
            self.showStatus()
        case .quit:
            self.carryOut(self.machine.quitRequested())
        }
    }

    /// Runs `body` on every open client's connection, or complains that there is none.
    private func forEachClient(_ body: (WebSocketConnection) -> Void) {
        guard !self.clients.isEmpty else {
            self.complain("not sent: no clients are connected")
            return
        }
        for connected in self.clientsInOrder {
            body(connected.client.connection)
        }
    }

    /// `/clients`: one line per open client, in id order.
    private func listClients() {
        let connected = self.clientsInOrder
        guard !connected.isEmpty else {
            self.inform("no clients are connected")
            return
        }
        let futures = connected.map { $0.client.connection.status() }
        let runner = self.runner
        EventLoopFuture.whenAllComplete(futures, on: futures[0].eventLoop).whenSuccess { results in
            let lines = zip(connected, results).map { connected, result in
                switch result {
                case .success(let status):
                    status.clientLine(id: connected.client.id, remoteAddress: connected.remoteAddress)
                case .failure:
                    "#\(connected.client.id)  \(connected.remoteAddress)"
                }
            }
            runner.inform(lines.joined(separator: "\n"))
        }
    }

    /// `/status`: where the server listens, its clients and counters.
    private func showStatus() {
        var lines = ["listening: \(self.listeningURL ?? "no longer")\(self.configuration.echo ? " (echo)" : "")"]
        lines.append(
            "clients: \(self.clients.count) connected, \(self.clientsServed) served, \(self.requestsRefused) refused"
        )
        if !self.configuration.policy.subprotocols.isEmpty {
            lines.append("subprotocols: \(self.configuration.policy.subprotocols.joined(separator: ", "))")
        }
        if !self.configuration.policy.allowedOrigins.isEmpty {
            lines.append("origins: \(self.configuration.policy.allowedOrigins.joined(separator: ", "))")
        }
        self.inform(lines.joined(separator: "\n"))
    }
}
