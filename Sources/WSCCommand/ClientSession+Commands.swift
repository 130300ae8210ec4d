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
        case .close(let code, let reason):
            self.requestClose(code: code, reason: reason)
        case .quit:
            self.requestClose(code: .normalClosure, reason: "")
        case .ping where self.isDown, .pong where self.isDown:
            self.complain("not sent: the connection is down (reconnecting)")
        case .ping(let payload):
            client.ping(payload)
        case .pong(let payload):
            client.pong(payload)
        case .json(let json):
            self.send(.text(json))
        case .file(let path):
            do {
                self.send(try LocalFile.outgoing(path))
            } catch {
                self.complain(error.message)
            }
        case .text(let path):
            do {
                self.send(.text(try LocalFile.readText(path, limit: self.configuration.maximumMessageSize)))
            } catch {
                self.complain(error.message)
            }
        case .status:
            let reconnecting = self.isDown
            client.status().whenSuccess { status in
                Task { @MainActor [weak self] in
                    self?.inform(
                        (status.lines + (reconnecting ? ["reconnect: waiting for the next attempt"] : [])).joined(
                            separator: "\n"
                        )
                    )
                }
            }
        }
    }
}
