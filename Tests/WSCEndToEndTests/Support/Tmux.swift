import Foundation

/// A real terminal for end-to-end tests: a tmux session on a private server socket.
///
/// The command runs in a pane of a fixed size; keys are sent with `send-keys` and the
/// screen is read with `capture-pane`, as a person would see it.
final class Tmux {
    let socket = "wsc-test-\(UUID().uuidString.prefix(8))"
    let session = "t"

    /// Starts `command` (run by sh) in an 100x30 pane; the pane stays after it exits.
    ///
    /// The pane keeps `historyLimit` lines that scrolled off the screen (tmux's default
    /// is 2,000); `history()` reads them.
    init(
        _ command: String,
        width: Int = 100,
        height: Int = 30,
        historyLimit: Int = 2000,
        environment: [String: String] = [:]
    ) throws {
        let exports = environment.map { "export \($0.key)='\($0.value)'; " }.joined()
        // After wsc exits: its status, then whether the terminal is sane again.
        // sh survives Ctrl-C (a handler, not SIG_IGN, so wsc still gets the default).
        let script =
            "trap true INT; unset NO_COLOR; \(exports)\(command); echo \"[exit $?]\"; stty -a | tr ' ' '\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo '[stty]'; sleep 600"
        // The server tmux starts here would hold a captured stdout open forever: don't capture.
        try self.tmux(
            [
                "-f", "/dev/null", "start-server", ";", "set-option", "-g", "history-limit", "\(historyLimit)", ";",
                "new-session", "-d", "-s", self.session, "-x", "\(width)", "-y", "\(height)", "sh", "-c", script,
            ],
            captureOutput: false
        )
    }

    deinit {
        _ = try? self.tmux(["kill-server"], captureOutput: false)
    }

    /// Types text literally.
    func type(_ text: String) throws {
        try self.tmux(["send-keys", "-t", self.session, "-l", text])
    }

    /// Sends raw bytes, as if pasted (tmux `send-keys -H`).
    func send(bytes: [UInt8]) throws {
        try self.tmux(["send-keys", "-t", self.session, "-H"] + bytes.map { String(format: "%02x", $0) })
    }

    /// Pastes text as a terminal does: all of it at once (`load-buffer`, `paste-buffer`).
    func paste(_ text: String) throws {
        let file = NSTemporaryDirectory() + "wsc-paste-\(UUID().uuidString)"
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        try self.tmux(["load-buffer", file])
        try self.tmux(["paste-buffer", "-d", "-t", self.session])
    }

    /// Presses keys by tmux name: `Enter`, `C-c`, `C-d`, `Up`, `Left`, `Tab`.
    func press(_ keys: String...) throws {
        try self.tmux(["send-keys", "-t", self.session] + keys)
    }

    /// The visible screen, lines with trailing spaces removed.
    func screen() throws -> String {
        try self.tmux(["capture-pane", "-p", "-t", self.session])
    }

    /// Every line the pane has shown: its scrollback, then the screen.
    func history() throws -> [String] {
        try self.tmux(["capture-pane", "-p", "-S", "-", "-E", "-", "-t", self.session]).split(
            separator: "\n",
            omittingEmptySubsequences: false
        ).map(String.init)
    }

    /// The visible screen with its colour escapes (`capture-pane -e`).
    func screen(withEscapes: Bool) throws -> String {
        try self.tmux(["capture-pane", "-p"] + (withEscapes ? ["-e"] : []) + ["-t", self.session])
    }

    /// Ends the session as a closed terminal window would: the pane's processes get SIGHUP.
    func killSession() throws {
        try self.tmux(["kill-session", "-t", self.session], captureOutput: false)
    }

    /// The screen lines without trailing blank lines.
    func lines() throws -> [String] {
        var lines = try self.screen().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty {
            lines.removeLast()
        }
        return lines
    }

    /// The cursor's column and row.
    func cursor() throws -> (x: Int, y: Int) {
        let text = try self.tmux(["display-message", "-p", "-t", self.session, "#{cursor_x} #{cursor_y}"])
        let parts = text.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return (parts.first ?? -1, parts.last ?? -1)
    }

    /// Waits until the screen contains `text`; returns the screen. Throws after `timeout`.
    @discardableResult
    func waitFor(_ text: String, timeout: TimeInterval = 10) throws -> String {
        try self.waitUntil("'\(text)'", timeout: timeout) { $0.contains(text) }
    }

    /// Waits until `predicate` holds for the screen.
    @discardableResult
    func waitUntil(_ what: String, timeout: TimeInterval = 10, _ predicate: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = ""
        while Date() < deadline {
            screen = try self.screen()
            if predicate(screen) {
                return screen
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw PeerError("timed out waiting for \(what); the screen shows:\n\(screen)")
    }

    /// Waits until the cursor is in column `x`; throws after `timeout`.
    func waitForCursor(x: Int, timeout: TimeInterval = 10) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var cursor = try self.cursor()
        while cursor.x != x, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            cursor = try self.cursor()
        }
        guard cursor.x == x else {
            throw PeerError(
                "the cursor stayed in column \(cursor.x), not \(x); the screen shows:\n\((try? self.screen()) ?? "")"
            )
        }
    }

    /// Waits until the screen's last lines are `lines`; returns the screen.
    @discardableResult
    func waitForLastLines(_ lines: [String], timeout: TimeInterval = 10) throws -> String {
        try self.waitUntil("the last lines \(lines)", timeout: timeout) { screen in
            var shown = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            while let last = shown.last, last.trimmingCharacters(in: .whitespaces).isEmpty {
                shown.removeLast()
            }
            return Array(shown.suffix(lines.count)) == lines
        }
    }

    /// Waits for wsc to exit; returns its exit status and whether the terminal was restored.
    func waitForExit(timeout: TimeInterval = 15) throws -> (status: Int, terminalRestored: Bool) {
        let screen = try self.waitFor("[stty]", timeout: timeout)
        guard let range = screen.range(of: "[exit "), let end = screen[range.upperBound...].firstIndex(of: "]"),
            let status = Int(screen[range.upperBound..<end])
        else {
            throw PeerError("no exit status on screen:\n\(screen)")
        }
        let restored = screen.contains(" icanon ") || screen.contains("icanon echo") || screen.contains("echo icanon")
        let broken = screen.contains("-icanon") || screen.contains("-echo ")
        return (status, restored && !broken)
    }

    @discardableResult
    private func tmux(_ arguments: [String], captureOutput: Bool = true) throws -> String {
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "TMUX")
        environment["TERM"] = "xterm-256color"
        return try Spawn.run(
            ["/usr/bin/tmux", "-L", self.socket] + arguments,
            environment: environment,
            captureOutput: captureOutput
        ).output
    }
}
