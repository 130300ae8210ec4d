import Foundation
import Testing

extension EndToEnd {
    /// Line editing at a real terminal: search, history shared by prompts, completion.
    @Suite("REPL: search, shared history, completion", .timeLimit(.minutes(3)))
    struct REPLEditingTests {
        func start(_ server: PeerServer, state: String) throws -> Tmux {
            try Tmux("'\(Paths.wsc)' ws://127.0.0.1:\(server.port)/", environment: ["XDG_STATE_HOME": state])
        }

        @Test("Ctrl-R, a few letters, Enter: the line found is sent at once, without another key")
        func searchThenEnter() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let terminal = try self.start(server, state: try Paths.temporaryDirectory())
            try terminal.waitFor("Connected")
            for line in ["alpha one", "bravo two"] {
                try terminal.type(line)
                try terminal.press("Enter")
                try terminal.waitFor("< \(line)")
            }
            try terminal.press("C-r")
            try terminal.type("alp")
            try terminal.press("Enter")
            // The echo proves the line went out; no further key was pressed.
            try terminal.waitUntil("the searched line echoed a second time") {
                $0.components(separatedBy: "< alpha one").count == 3
            }
            try terminal.press("C-d")
            #expect(try terminal.waitForExit().status == 0)
        }

        @Test("several lines pasted at once are each sent, in order, without another key")
        func multiLinePaste() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let terminal = try self.start(server, state: try Paths.temporaryDirectory())
            try terminal.waitFor("Connected")
            try terminal.paste("first pasted\nsecond pasted\nthird pasted\n")
            let screen = try terminal.waitFor("< third pasted")
            let order = ["< first pasted", "< second pasted", "< third pasted"].compactMap {
                screen.range(of: $0)?.lowerBound
            }
            #expect(order.count == 3 && order == order.sorted(), "\(screen)")
            try terminal.press("C-d")
            #expect(try terminal.waitForExit().status == 0)
        }

        @Test("two prompts open at once: each appends its lines to the history file, none is lost")
        func historyFromTwoPrompts() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let state = try Paths.temporaryDirectory()
            let first = try self.start(server, state: state)
            let second = try self.start(server, state: state)
            try first.waitFor("Connected")
            try second.waitFor("Connected")
            for (terminal, line) in [(first, "from the first"), (second, "from the second"), (first, "first again")] {
                try terminal.type(line)
                try terminal.press("Enter")
                try terminal.waitFor("< \(line)")
            }
            try first.press("C-d")
            #expect(try first.waitForExit().status == 0)
            try second.press("C-d")
            #expect(try second.waitForExit().status == 0)

            let file = state + "/wsc/history"
            let contents = try String(contentsOfFile: file, encoding: .utf8)
            for line in ["from the first", "from the second", "first again"] {
                #expect(
                    contents.contains(line.replacingOccurrences(of: " ", with: "\\040")) || contents.contains(line),
                    "\(line): \(contents)"
                )
            }
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

            // A third prompt finds them all, the last one to close last.
            let third = try self.start(server, state: state)
            try third.waitFor("Connected")
            try third.press("Up")
            try third.waitFor("> from the second")
            try third.press("Up")
            try third.waitFor("> first again")
            try third.press("Up")
            try third.waitFor("> from the first")
            try third.press("C-c")
            try third.press("C-d")
            #expect(try third.waitForExit().status == 0)
        }

        @Test("Tab on an empty prompt offers the slash commands, not files")
        func tabOnEmptyPrompt() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let terminal = try self.start(server, state: try Paths.temporaryDirectory())
            try terminal.waitFor("Connected")
            try terminal.press("Tab")
            try terminal.waitFor("> /")
            try terminal.press("Tab")
            let screen = try terminal.waitFor("/status")
            #expect(screen.contains("/close") && screen.contains("/quit"), "\(screen)")
            try terminal.press("C-c")
            try terminal.press("C-d")
            #expect(try terminal.waitForExit().status == 0)
        }

        @Test("Tab completes a path with spaces (escaped, as a shell does), and /file sends it")
        func pathWithSpaces() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let directory = try Paths.temporaryDirectory() + "/with space"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data([7, 8, 9]).write(to: URL(fileURLWithPath: directory + "/my file.bin"))
            let terminal = try self.start(server, state: try Paths.temporaryDirectory())
            try terminal.waitFor("Connected")
            let escapedDirectory = directory.replacingOccurrences(of: " ", with: "\\ ")
            try terminal.type("/file " + escapedDirectory + "/my")
            try terminal.press("Tab")
            try terminal.waitFor("> /file \(escapedDirectory)/my\\ file.bin")
            try terminal.press("Enter")
            try terminal.waitFor("< [binary 3 bytes] 07 08 09")
            try terminal.press("C-d")
            #expect(try terminal.waitForExit().status == 0)
        }
    }
}
