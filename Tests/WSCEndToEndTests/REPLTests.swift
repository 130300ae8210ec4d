import Foundation
import Testing

extension EndToEnd {
    /// The built `wsc` at a real terminal (tmux), against the Python `websockets` peer.
    @Suite("REPL in a terminal", .timeLimit(.minutes(2)))
    struct REPLTests {
        func start(
            _ server: PeerServer,
            path: String = "/",
            arguments: String = "",
            state: String? = nil
        ) throws -> Tmux {
            let stateHome = try state ?? Paths.temporaryDirectory()
            return try Tmux(
                "'\(Paths.wsc)' \(arguments) ws://127.0.0.1:\(server.port)\(path)",
                environment: ["XDG_STATE_HOME": stateHome]
            )
        }

        @Test("type, receive, /status, Ctrl-D: clean close, exit 0, terminal restored")
        func basicSession() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let terminal = try self.start(server)
            try terminal.waitFor("Connected to ws://127.0.0.1:\(server.port)/ (subprotocol: none, extensions: none)")
            try terminal.type("hello there")
            try terminal.press("Enter")
            try terminal.waitFor("< hello there")
            try terminal.type("/status")
            try terminal.press("Enter")
            let status = try terminal.waitFor("uptime:")
            #expect(status.contains("state: OPEN (1)"))
            #expect(status.contains("sent: 1 messages, 11 bytes"))
            #expect(status.contains("bufferedAmount: 0"))
            try terminal.press("C-d")
            let screen = try terminal.waitFor("Disconnected (code: 1000, reason: \"\", wasClean: true)")
            #expect(screen.contains("Disconnected"))
            let exit = try terminal.waitForExit()
            #expect(exit.status == 0)
            #expect(exit.terminalRestored)
        }

        @Test("libedit is loaded for the prompt only: a run in a pipe does not map it, one at a terminal does")
        func libeditOnlyForThePrompt() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let piped = try ClientProcess.start(["-w", "0", "ws://127.0.0.1:\(server.port)/"])
            try piped.wait(for: "the open event", onStandardError: true) { $0.contains("Connected to") }
            let pipedMaps = Self.mappedFiles(of: piped.process.processIdentifier)
            _ = piped.finish()
            #expect(pipedMaps.contains("libc.so") && !pipedMaps.contains("libedit"))

            // A path of its own, to find this wsc among the processes.
            let path = "/prompt-\(UUID().uuidString)"
            let terminal = try self.start(server, path: path)
            try terminal.waitFor("Connected to")
            // A line typed and echoed: the prompt is up.
            try terminal.type("hi")
            try terminal.press("Enter")
            try terminal.waitFor("< hi")
            let found = try Spawn.run(["/usr/bin/pgrep", "-f", path], environment: [:], captureOutput: true)
            let pids = found.output.split(separator: "\n").compactMap { Int32($0) }
            #expect(pids.contains { Self.mappedFiles(of: $0).contains("libedit") })
            try terminal.press("C-d")
            #expect(try terminal.waitForExit().status == 0)
        }

        @Test("without a usable libedit the prompt says why, and wsc ends as on a hang-up (129), terminal restored")
        func noLibedit() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            // A real shared object under libedit's name, found first, without libedit's symbols.
            let directory = try Paths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let zlib = URL(fileURLWithPath: "/lib/x86_64-linux-gnu/libz.so.1").resolvingSymlinksInPath().path
            try FileManager.default.copyItem(atPath: zlib, toPath: directory + "/libedit.so.2")
            let terminal = try Tmux(
                "'\(Paths.wsc)' ws://127.0.0.1:\(server.port)/",
                environment: ["XDG_STATE_HOME": directory, "LD_LIBRARY_PATH": directory]
            )
            let screen = try terminal.waitFor("[exit")
            #expect(screen.contains("wsc: no prompt: libedit could not be loaded (libedit has no el_init)"))
            let exit = try terminal.waitForExit()
            #expect(exit.status == 129)
            #expect(exit.terminalRestored)
        }

        /// What `/proc/PID/maps` lists, read to its end (Foundation's `String(contentsOfFile:)`
        /// stops early on a file of no size).
        static func mappedFiles(of pid: Int32) -> String {
            guard let file = FileHandle(forReadingAtPath: "/proc/\(pid)/maps") else {
                return ""
            }
            defer { try? file.close() }
            return String(decoding: (try? file.readToEnd()) ?? Data(), as: UTF8.self)
        }

        @Test("a flood of messages keeps the half-typed line and the cursor")
        func flood() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let terminal = try self.start(server)
            try terminal.waitFor("Connected")
            try terminal.type("!flood 5000")
            try terminal.press("Enter")
            // Type while the flood arrives, in pieces, as a person would (the pause is the
            // typist's, not a wait for anything).
            for piece in ["typing ", "during ", "the ", "flood"] {
                try terminal.type(piece)
                Thread.sleep(forTimeInterval: 0.02)
            }
            try terminal.waitForLastLines(["< msg 4999", "> typing during the flood"], timeout: 30)
            try terminal.waitForCursor(x: "> typing during the flood".count)
            // The cursor really is where the line editor thinks: edit in the middle.
            try terminal.press("Left", "Left", "Left", "Left", "Left")
            try terminal.type("big ")
            try terminal.press("Enter")
            try terminal.waitFor("< typing during the big flood")
            try terminal.press("C-d")
            #expect(try terminal.waitForExit().status == 0)
        }

        @Test("Ctrl-C clears a typed line, then closes with 1000")
        func controlC() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let terminal = try self.start(server)
            try terminal.waitFor("Connected")
            try terminal.type("not to be sent")
            try terminal.waitFor("> not to be sent")
            try terminal.press("C-c")
            try terminal.waitUntil("the line to clear") { !$0.contains("not to be sent") }
            try terminal.type("sent")
            try terminal.press("Enter")
            try terminal.waitFor("< sent")
            #expect(try !terminal.screen().contains("not to be sent"))
            try terminal.press("C-c")
            try terminal.waitFor("Disconnected (code: 1000, reason: \"\", wasClean: true)")
            let exit = try terminal.waitForExit()
            #expect(exit.status == 0)
            #expect(exit.terminalRestored)
        }

        @Test("history persists across runs in a 0600 file, without lines that start with a space")
        func history() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let state = try Paths.temporaryDirectory()
            let first = try self.start(server, state: state)
            try first.waitFor("Connected")
            for line in ["remember me", " secret with a space", "and me"] {
                try first.type(line)
                try first.press("Enter")
                try first.waitFor("< \(line)")
            }
            try first.press("C-d")
            #expect(try first.waitForExit().status == 0)

            let file = state + "/wsc/history"
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let contents = try String(contentsOfFile: file, encoding: .utf8)
            #expect(!contents.contains("secret"))

            let second = try self.start(server, state: state)
            try second.waitFor("Connected")
            try second.press("Up")
            try second.waitFor("> and me")
            try second.press("Up")
            try second.waitFor("> remember me")
            try second.press("C-c")
            try second.waitUntil("the line to clear") { !$0.contains("> remember me") }
            try second.press("C-d")
            #expect(try second.waitForExit().status == 0)
        }

        @Test("tab completes slash commands and file paths")
        func completion() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let directory = try Paths.temporaryDirectory()
            try Data([1, 2]).write(to: URL(fileURLWithPath: directory + "/payload-only.bin"))
            let terminal = try self.start(server)
            try terminal.waitFor("Connected")
            try terminal.type("/sta")
            try terminal.press("Tab")
            try terminal.waitFor("> /status")
            try terminal.press("Enter")
            try terminal.waitFor("state: OPEN (1)")
            try terminal.type("/fi")
            try terminal.press("Tab")
            try terminal.type(directory + "/payl")
            try terminal.press("Tab")
            try terminal.waitFor("> /file \(directory)/payload-only.bin")
            try terminal.press("Enter")
            try terminal.waitFor("< [binary 2 bytes] 01 02")
            try terminal.press("C-d")
            #expect(try terminal.waitForExit().status == 0)
        }

        @Test("-P shows the server's pings and the round trip of ours")
        func pingPong() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let terminal = try self.start(server, arguments: "-P")
            try terminal.waitFor("Connected")
            try terminal.type("/ping are you there")
            try terminal.press("Enter")
            let screen = try terminal.waitFor("< [pong] are you there (rtt ")
            #expect(screen.contains(" ms)"))
            try terminal.type("!ping knock")
            try terminal.press("Enter")
            try terminal.waitFor("< [ping] knock")
            try terminal.press("C-d")
            #expect(try terminal.waitForExit().status == 0)
        }

        @Test("the server closes with 4001: shown, exit 1")
        func serverCloses() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let terminal = try self.start(server)
            try terminal.waitFor("Connected")
            try terminal.type("!close 4001 bye now")
            try terminal.press("Enter")
            try terminal.waitFor("Disconnected (code: 4001, reason: \"bye now\", wasClean: true)")
            let exit = try terminal.waitForExit()
            #expect(exit.status == 1)
            #expect(exit.terminalRestored)
        }

        @Test("the TCP connection drops: 1006, wasClean false, exit 1")
        func dropped() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let terminal = try self.start(server)
            try terminal.waitFor("Connected")
            try terminal.type("!drop")
            try terminal.press("Enter")
            try terminal.waitFor("Disconnected (code: 1006, reason: \"\", wasClean: false)")
            #expect(try terminal.waitForExit().status == 1)
        }

        @Test("escape sequences in received text are shown, not executed; binary as hex")
        func hostileText() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let terminal = try self.start(server)
            try terminal.waitFor("Connected")
            try terminal.type("!evil")
            try terminal.press("Enter")
            try terminal.waitFor("< before\\x1b[2J\\x1b[31mred\\x07after")
            try terminal.type("!binary 00ff10")
            try terminal.press("Enter")
            try terminal.waitFor("< [binary 3 bytes] 00 ff 10")
            #expect(try terminal.screen().contains("Connected"))
            try terminal.press("C-d")
            #expect(try terminal.waitForExit().status == 0)
        }

        @Test("slash commands: /json validated, //, unknown command, /close with code")
        func slashCommands() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let terminal = try self.start(server)
            try terminal.waitFor("Connected")
            try terminal.type("/json {\"a\": [1, 2]}")
            try terminal.press("Enter")
            try terminal.waitFor("< {\"a\":[1,2]}")
            try terminal.type("/json {oops")
            try terminal.press("Enter")
            try terminal.waitFor("error: not sent: invalid JSON")
            try terminal.type("//literal")
            try terminal.press("Enter")
            try terminal.waitFor("< /literal")
            try terminal.type("/frobnicate")
            try terminal.press("Enter")
            try terminal.waitFor("error: unknown command '/frobnicate'")
            try terminal.type("/close 4000 done here")
            try terminal.press("Enter")
            try terminal.waitFor("Disconnected (code: 4000, reason: \"done here\", wasClean: true)")
            #expect(try terminal.waitForExit().status == 0)
        }

        @Test("a refused upgrade shows the status and body; exit 76")
        func refusedUpgrade() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let terminal = try self.start(server, path: "/reject")
            let screen = try terminal.waitFor("no entry for you")
            #expect(screen.contains("error: the server refused the WebSocket upgrade: HTTP/1.1 403 Forbidden"))
            let exit = try terminal.waitForExit()
            #expect(exit.status == 76)
            #expect(exit.terminalRestored)
        }

        @Test("/file sends a file as binary; /text as text")
        func files() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let directory = try Paths.temporaryDirectory()
            try Data([0xDE, 0xAD, 0xBE, 0xEF]).write(to: URL(fileURLWithPath: directory + "/four.bin"))
            try Data("text from a file".utf8).write(to: URL(fileURLWithPath: directory + "/note.txt"))
            try Data([0xFF, 0xFE]).write(to: URL(fileURLWithPath: directory + "/bad.txt"))
            let terminal = try self.start(server)
            try terminal.waitFor("Connected")
            try terminal.type("/file \(directory)/four.bin")
            try terminal.press("Enter")
            try terminal.waitFor("< [binary 4 bytes] de ad be ef")
            try terminal.type("/text \(directory)/note.txt")
            try terminal.press("Enter")
            try terminal.waitFor("< text from a file")
            try terminal.type("/text \(directory)/bad.txt")
            try terminal.press("Enter")
            try terminal.waitFor("is not valid UTF-8")
            try terminal.type("/file \(directory)/missing.bin")
            try terminal.press("Enter")
            try terminal.waitFor("cannot read")
            try terminal.press("C-d")
            #expect(try terminal.waitForExit().status == 0)
        }
    }
}
