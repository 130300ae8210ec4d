import NIOCore
import WSCCore
import WSCNetwork

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension ClientSession {
    /// Carries out a slash command.
    func run(_ command: SlashCommand) {
        guard let client = self.client else {
            return
        }
        switch command {
        case .help:
            let width = SlashCommand.descriptions.map { $0.name.count + $0.arguments.count + 1 }.max() ?? 0
            var lines = SlashCommand.descriptions.map { description in
                let usage = description.arguments.isEmpty ? description.name : "\(description.name) \(description.arguments)"
                return "  " + usage + String(repeating: " ", count: max(width - usage.count, 0) + 2) + description.summary
            }
            lines.append("  //text" + String(repeating: " ", count: max(width - 6, 0) + 2) + "send text that starts with '/'")
            self.inform("commands:\n" + lines.joined(separator: "\n"))
        case .close(let code, let reason):
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
                client.send(try OutgoingFile(path: Self.expandingTilde(path), displayName: path, kind: .binary))
            } catch {
                self.complain(error.message)
            }
        case .text(let path):
            do {
                client.send(.text(try Self.readTextFile(path, limit: self.configuration.maximumMessageSize)))
            } catch {
                self.complain(error.message)
            }
        case .status:
            client.status().whenSuccess { status in
                Task { @MainActor [weak self] in
                    self?.inform(status.lines.joined(separator: "\n"))
                }
            }
        }
    }

    /// `~/x` → `$HOME/x`.
    nonisolated static func expandingTilde(_ path: String) -> String {
        guard path == "~" || path.hasPrefix("~/"), let home = getenv("HOME") else {
            return path
        }
        return String(cString: home) + path.dropFirst()
    }

    /// A whole (small) file's bytes, refused when bigger than `limit`.
    nonisolated static func readFile(_ path: String, limit: Int) throws(InputError) -> [UInt8] {
        let file = try OutgoingFile(path: Self.expandingTilde(path), displayName: path, kind: .text)
        defer { file.closeDescriptor() }
        guard file.size <= Int64(limit) else {
            throw InputError("'\(path)' is \(file.size) bytes, more than the message size limit (\(limit))")
        }
        return try file.readAll()
    }

    /// A whole file as text, checked to be UTF-8.
    nonisolated static func readTextFile(_ path: String, limit: Int) throws(InputError) -> String {
        guard let text = String(validating: try Self.readFile(path, limit: limit), as: UTF8.self) else {
            throw InputError("not sent: '\(path)' is not valid UTF-8 (use /file to send it as binary)")
        }
        return text
    }
}
