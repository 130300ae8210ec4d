import Foundation
import Testing

extension EndToEnd {
    /// `wsc --listen` at a real terminal (tmux), with Python `websockets` clients.
    @Suite("wsc --listen at a terminal", .timeLimit(.minutes(2)))
    struct ListenREPLTests {
        @Test(
            "typed lines go to every client; /to, /clients, /json, /file, /ping, /close ID; events carry ids; Ctrl-D exits 0"
        )
        func serverPrompt() async throws {
            let state = try Paths.temporaryDirectory()
            _ = FileManager.default.createFile(atPath: state + "/two.bin", contents: Data([0, 1]))
            let terminal = try Tmux("'\(Paths.wsc)' --listen 0 -P", environment: ["XDG_STATE_HOME": state])
            let screen = try terminal.waitFor("Listening on ws://127.0.0.1:")
            let match = try #require(screen.firstMatch(of: /Listening on ws:\/\/127\.0\.0\.1:(\d+)\//))
            let url = "ws://127.0.0.1:\(match.1)/"
            #expect(screen.contains("type to send to every client, /help for commands, Ctrl-D to stop"))

            try terminal.type("nobody here")
            try terminal.press("Enter")
            try terminal.waitFor("error: not sent: no clients are connected")

            async let talker = onOwnThread { try pythonClient([url, "talk"], timeout: 15) }
            try terminal.waitFor("[#1] Client connected from 127.0.0.1:")
            try terminal.type("hello clients")
            try terminal.press("Enter")
            try terminal.waitFor("[#1] < reply from python")
            try terminal.waitFor("[#1] Disconnected (code: 1000, reason: \"\", wasClean: true)")
            #expect(try await talker.output == "received: hello clients\n")

            async let listener = onOwnThread { try pythonClient([url, "wait-close"], timeout: 15) }
            try terminal.waitFor("[#2] Client connected from 127.0.0.1:")
            try terminal.type("/clients")
            try terminal.press("Enter")
            let list = try terminal.waitFor("#2  127.0.0.1:")
            #expect(list.contains("  /  open, up "))
            try terminal.type("/to 2 just for you")
            try terminal.press("Enter")
            try terminal.type("/json [1, 2]")
            try terminal.press("Enter")
            try terminal.type("/file \(state)/two.bin")
            try terminal.press("Enter")
            try terminal.waitFor("sent \(state)/two.bin (2 bytes)")
            try terminal.type("/ping hi")
            try terminal.press("Enter")
            try terminal.waitFor("[#2] < [pong] hi (rtt ")
            try terminal.type("/to 9 lost")
            try terminal.press("Enter")
            try terminal.waitFor("error: not sent: no client #9 (see /clients)")
            try terminal.type("/close 2 4000 bye")
            try terminal.press("Enter")
            try terminal.waitFor("[#2] Disconnected (code: 4000")
            #expect(
                try await listener.output
                    == "received: just for you\nreceived: [1,2]\nreceived: b'\\x00\\x01'\nclosed: 4000 bye\n"
            )

            try terminal.press("C-d")
            let exit = try terminal.waitForExit()
            #expect(exit.status == 0)
            #expect(exit.terminalRestored)
        }

        @Test("Ctrl-D closes the connected clients with 1001 before exiting")
        func quitClosesClients() async throws {
            let terminal = try Tmux(
                "'\(Paths.wsc)' --listen 0 --echo",
                environment: ["XDG_STATE_HOME": try Paths.temporaryDirectory()]
            )
            let screen = try terminal.waitFor("Listening on ws://127.0.0.1:")
            let match = try #require(screen.firstMatch(of: /Listening on ws:\/\/127\.0\.0\.1:(\d+)\//))
            #expect(screen.contains("(echo;"))
            let url = "ws://127.0.0.1:\(match.1)/"
            async let listener = onOwnThread { try pythonClient([url, "wait-close"], timeout: 15) }
            try terminal.waitFor("[#1] Client connected")
            try terminal.press("C-d")
            try terminal.waitFor("[#1] Disconnected (code: 1001, reason: \"\", wasClean: true)")
            let exit = try terminal.waitForExit()
            #expect(exit.status == 0)
            #expect(try await listener.output == "closed: 1001 \n")
        }
    }
}
