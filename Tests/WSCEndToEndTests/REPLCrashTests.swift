import Foundation
import Testing

extension EndToEnd {
    /// The prompt survives what used to crash it, and gives the terminal back however wsc ends.
    @Suite("REPL: large pastes and crashes", .timeLimit(.minutes(3)))
    struct REPLCrashTests {
        /// A URL path unique to one test, to find its wsc process.
        let marker = "/t\(UInt32.random(in: 0...UInt32.max))"

        /// Runs wsc at a terminal; the shell then says whether `stty -g` is what it was before.
        func start(_ server: PeerServer, arguments: String = "", environment: [String: String] = [:]) throws -> Tmux {
            let state = try Paths.temporaryDirectory()
            let command = """
                before=$(stty -g); '\(Paths.wsc)' \(arguments) ws://127.0.0.1:\(server.port)\(self.marker); status=$?; \
                if [ "$(stty -g)" = "$before" ]; then echo '[stty same]'; else echo '[stty changed]'; fi; (exit $status)
                """
            return try Tmux(command, environment: environment.merging(["XDG_STATE_HOME": state]) { $1 })
        }

        @Test(
            "a line pasted at the prompt, 10,000 characters or a MiB, is sent whole; the session goes on",
            arguments: [10_000, 1 << 20]
        )
        func largePaste(size: Int) throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let terminal = try self.start(server)
            try terminal.waitFor("Connected")
            // Multi-byte characters too: the line editor's narrow copy is not one byte per
            // character. The peer takes a line starting with "!" as a command, and ignores
            // this one: the MiB is not echoed onto the screen.
            let line = "!paste " + String(repeating: "é0123456789", count: size / 12)
            let started = Date()
            try terminal.paste(line)
            try terminal.press("Enter")
            try terminal.type("/status")
            try terminal.press("Enter")
            // Generous: only a guard against a hang (a paste used to cost time quadratic in its size).
            let status = try terminal.waitFor("uptime:", timeout: 120)
            #expect(status.contains("sent: 1 messages, \(line.utf8.count) bytes"), "\(status)")
            try terminal.type("after")
            try terminal.press("Enter")
            try terminal.waitFor("< after", timeout: 30)
            try terminal.press("C-d")
            let exit = try terminal.waitForExit(timeout: 30)
            #expect(exit.status == 0)
            #expect(try terminal.screen().contains("[stty same]"))
            print("paste of \(line.utf8.count) bytes sent and answered in \(Date().timeIntervalSince(started)) s")
        }

        /// A crash's signal, and how Swift's backtracer is set (it would otherwise wait for a key
        /// at a terminal before the process ends).
        struct Crash: Sendable, CustomTestStringConvertible {
            let signal: String
            let backtrace: String
            var testDescription: String { "SIG\(self.signal), SWIFT_BACKTRACE=\(self.backtrace)" }
        }

        @Test(
            "wsc killed with SIGABRT (or SIGSEGV) at the prompt: the terminal is as it was (stty -g)",
            arguments: [
                Crash(signal: "ABRT", backtrace: "interactive=no"), Crash(signal: "ABRT", backtrace: "enable=no"),
                Crash(signal: "SEGV", backtrace: "enable=no"),
            ]
        )
        func crashRestoresTerminal(crash: Crash) throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let terminal = try self.start(server, environment: ["SWIFT_BACKTRACE": crash.backtrace])
            try terminal.waitFor("Connected")
            try terminal.type("half typed")
            try terminal.waitFor("> half typed")
            _ = try Spawn.run(
                ["/usr/bin/pkill", "-\(crash.signal)", "-f", "^\(Paths.wsc) .*\(self.marker)"],
                environment: [:],
                captureOutput: false
            )
            // The shell says "[stty same]" (or changed) first, then "[exit N]": wait for the last.
            let screen = try terminal.waitFor("[exit ", timeout: 60)
            #expect(screen.contains("[stty same]"), "\(screen)")
            #expect(screen.contains(crash.signal == "ABRT" ? "[exit 134]" : "[exit 139]"), "\(screen)")
        }
    }
}
