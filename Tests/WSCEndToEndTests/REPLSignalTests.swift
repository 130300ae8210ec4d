import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension EndToEnd {
    /// How the prompt ends: signals, a second Ctrl-C, a terminal that goes away, colours.
    @Suite("REPL endings and colours", .timeLimit(.minutes(2)))
    struct REPLSignalTests {
        /// A URL path unique to one test, to find its wsc process.
        let marker = "/t\(UInt32.random(in: 0...UInt32.max))"

        /// Matches the wsc process only (not the shell that started it).
        var pattern: String { "^\(Paths.wsc) .*\(self.marker)" }

        func wscProcessIsRunning() -> Bool {
            (try? Spawn.run(["/usr/bin/pgrep", "-f", self.pattern], environment: [:], captureOutput: true).status) == 0
        }

        func signalWSC(_ name: String) throws {
            _ = try Spawn.run(
                ["/usr/bin/pkill", "-\(name)", "-f", self.pattern],
                environment: [:],
                captureOutput: false
            )
        }

        @Test("a second Ctrl-C while the server ignores our close quits at once (130)")
        func secondControlC() throws {
            let server = try PeerServer.silent()
            defer { server.stop() }
            let terminal = try Tmux("'\(Paths.wsc)' --close-timeout 30 ws://127.0.0.1:\(server.port)\(self.marker)")
            try terminal.waitFor("Connected")
            try terminal.press("C-c")
            try terminal.waitFor("closing: no answer from the server yet")
            #expect(self.wscProcessIsRunning(), "still waiting for the server's close")
            let start = Date()
            try terminal.press("C-c")
            let exit = try terminal.waitForExit(timeout: 20)
            // The bound is the feature: at once, not after --close-timeout's 30 s.
            #expect(Date().timeIntervalSince(start) < 15)
            #expect(exit.status == 130)
            #expect(exit.terminalRestored)
        }

        @Test(
            "Ctrl-D or /close, and the server never answers: it says so, Ctrl-C quits, the close is reported once",
            arguments: ["C-d", "/close"]
        )
        func closingWithoutAnswer(how: String) throws {
            let server = try PeerServer.silent()
            defer { server.stop() }
            let terminal = try Tmux("'\(Paths.wsc)' --close-timeout 30 ws://127.0.0.1:\(server.port)\(self.marker)")
            try terminal.waitFor("Connected")
            if how == "/close" {
                try terminal.type("/close")
                try terminal.press("Enter")
            } else {
                try terminal.press(how)
            }
            try terminal.waitFor("closing: no answer from the server yet (Ctrl-C quits now; --close-timeout 30 s)")
            #expect(self.wscProcessIsRunning())
            try terminal.press("C-c")
            let exit = try terminal.waitForExit(timeout: 10)
            #expect(exit.status == 130)
            #expect(exit.terminalRestored)
            let screen = try terminal.screen()
            #expect(
                screen.components(separatedBy: "Disconnected (code: 1006, reason: \"\", wasClean: false)").count == 2,
                "\(screen)"
            )
        }

        @Test("SIGTERM: close with 1001, terminal restored, exit 143")
        func sigterm() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let terminal = try Tmux("'\(Paths.wsc)' ws://127.0.0.1:\(server.port)\(self.marker)")
            try terminal.waitFor("Connected")
            try terminal.type("half typed")
            try terminal.waitFor("> half typed")
            try self.signalWSC("TERM")
            try terminal.waitFor("Disconnected (code: 1001, reason: \"\", wasClean: true)")
            let exit = try terminal.waitForExit()
            #expect(exit.status == 143)
            #expect(exit.terminalRestored)
        }

        @Test("the terminal goes away: wsc ends instead of spinning")
        func hangUp() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let terminal = try Tmux("'\(Paths.wsc)' ws://127.0.0.1:\(server.port)\(self.marker)")
            try terminal.waitFor("Connected")
            #expect(self.wscProcessIsRunning())
            try terminal.killSession()
            let deadline = Date().addingTimeInterval(15)
            while self.wscProcessIsRunning(), Date() < deadline {
                Thread.sleep(forTimeInterval: 0.05)
            }
            #expect(!self.wscProcessIsRunning())
        }

        @Test("colours on a terminal; none with NO_COLOR or --no-color")
        func colours() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let coloured = try Tmux("'\(Paths.wsc)' ws://127.0.0.1:\(server.port)/")
            try coloured.waitFor("Connected")
            let screen = try coloured.screen(withEscapes: true)
            #expect(screen.contains("\u{1B}[32mConnected"), "\(screen.debugDescription)")
            try coloured.press("C-d")
            _ = try coloured.waitForExit()

            for (command, environment) in [
                ("'\(Paths.wsc)' --no-color", [String: String]()), ("'\(Paths.wsc)'", ["NO_COLOR": "1"]),
            ] {
                let plain = try Tmux("\(command) ws://127.0.0.1:\(server.port)/", environment: environment)
                try plain.waitFor("Connected")
                #expect(try !plain.screen(withEscapes: true).contains("\u{1B}[32m"))
                try plain.press("C-d")
                _ = try plain.waitForExit()
            }
        }
    }
}
