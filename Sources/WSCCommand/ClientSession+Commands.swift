import NIOCore
import WSCCore
import WSCNetwork

extension ClientSession {
    /// Carries out a slash command.
    func run(_ command: SlashCommand) {
        switch command {
        case .help:
            self.output.inform(SlashCommand.helpText(for: .client))
        case .close(let code, let reason):
            self.carryOut(self.machine.closeRequested(code: code, reason: reason, at: self.timers.now))
        case .quit:
            self.carryOut(self.machine.closeRequested(code: .normalClosure, reason: "", at: self.timers.now))
        case .ping(let payload):
            switch self.machine.controlFrameRequested() {
            case .send:
                self.connection?.ping(payload)
            case .refuse(let reason):
                self.complain(reason)
            }
        case .pong(let payload):
            switch self.machine.controlFrameRequested() {
            case .send:
                self.connection?.pong(payload)
            case .refuse(let reason):
                self.complain(reason)
            }
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
            switch self.machine.statusRequested() {
            case .show(let reconnecting):
                let runner = self.runner
                self.connection?.status().whenSuccess { status in
                    let lines = status.lines + (reconnecting ? ["reconnect: waiting for the next attempt"] : [])
                    runner.inform(lines.joined(separator: "\n"))
                }
            }
        }
    }
}
