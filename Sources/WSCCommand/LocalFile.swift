import WSCCore
import WSCNetwork

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Files named on the command line or at the prompt (`--file`, `/text`, …).
enum LocalFile {
    /// `~/x` → `$HOME/x`.
    static func expandingTilde(_ path: String) -> String {
        guard path == "~" || path.hasPrefix("~/"), let home = getenv("HOME") else {
            return path
        }
        return String(cString: home) + path.dropFirst()
    }

    /// Opens a file to be streamed as one binary message.
    static func outgoing(_ path: String) throws(InputError) -> OutgoingFile {
        try OutgoingFile(path: Self.expandingTilde(path), displayName: path, kind: .binary)
    }

    /// A whole (small) file's bytes, refused when bigger than `limit`.
    static func read(_ path: String, limit: Int) throws(InputError) -> [UInt8] {
        let file = try OutgoingFile(path: Self.expandingTilde(path), displayName: path, kind: .text)
        defer { file.closeDescriptor() }
        guard file.size <= Int64(limit) else {
            throw InputError("'\(path)' is \(file.size) bytes, more than the message size limit (\(limit))")
        }
        return try file.readAll()
    }

    /// A whole file as text, checked to be UTF-8.
    static func readText(_ path: String, limit: Int) throws(InputError) -> String {
        guard let text = String(validating: try Self.read(path, limit: limit), as: UTF8.self) else {
            throw InputError("not sent: '\(path)' is not valid UTF-8 (use /file to send it as binary)")
        }
        return text
    }
}
