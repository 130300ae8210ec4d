import NIOCore
import WSCCore
import WSCNetwork

extension ClientSession {
    /// Carries out a slash command.
    func run(_ command: SlashCommand) {
        guard let client = self.client else {
            return
        }
        switch command {
        case .help:
            self.inform(SlashCommand.helpText(for: .client))
        case .close(_, let code, let reason):
            self.requestClose(code: code, reason: reason)
        case .quit:
            self.requestClose(code: .normalClosure, reason: "")
        case .ping(let payload):
            client.ping(payload)
        case .pong(let payload):
            client.pong(payload)
        case .json(let json):
            client.send(.text(json))
        case .file(let path):
            do {
                client.send(try LocalFile.outgoing(path))
            } catch {
                self.complain(error.message)
            }
        case .text(let path):
            do {
                client.send(.text(try LocalFile.readText(path, limit: self.configuration.maximumMessageSize)))
            } catch {
                self.complain(error.message)
            }
        case .status:
            client.status().whenSuccess { status in
                Task { @MainActor [weak self] in
                    self?.inform(status.lines.joined(separator: "\n"))
                }
            }
        case .to, .clients:
            preconditionFailure("\(command) is parsed only at the server's prompt")
        }
    }
}
