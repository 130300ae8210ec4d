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

    /// Checks that a file can be sent (a readable regular file or pipe) without opening it:
    /// opening and closing a FIFO would cut off a writer waiting on it.
    static func checkReadable(_ path: String) throws(InputError) {
        let expanded = Self.expandingTilde(path)
        var info = stat()
        guard stat(expanded, &info) == 0, access(expanded, R_OK) == 0 else {
            throw InputError("cannot read '\(path)': \(String(cString: strerror(errno)))")
        }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG || type == S_IFIFO else {
            throw InputError("cannot send '\(path)': not a regular file or a pipe")
        }
    }

    /// A whole (small) file's bytes, refused when bigger than `limit`.
    static func read(_ path: String, limit: Int) throws(InputError) -> [UInt8] {
        let file = try OutgoingFile(path: Self.expandingTilde(path), displayName: path, kind: .text)
        defer { file.closeDescriptor() }
        return try file.readAll(limit: limit)
    }

    /// A whole file as text, checked to be UTF-8.
    static func readText(_ path: String, limit: Int) throws(InputError) -> String {
        guard let text = String(validating: try Self.read(path, limit: limit), as: UTF8.self) else {
            throw InputError("not sent: '\(path)' is not valid UTF-8 (use /file to send it as binary)")
        }
        return text
    }
}
