import Testing
import WSCCore

@Suite("InputLine and slash commands")
struct InputLineTests {
    func parse(_ line: String, slash: Bool = true) throws -> InputLine<SlashCommand> {
        try InputLine(parsing: line, slashCommands: slash)
    }

    /// Parses a line at a client's prompt or at the server's.
    func parse(_ line: String, role: ConnectionRole) throws {
        switch role {
        case .client: _ = try InputLine<SlashCommand>(parsing: line, slashCommands: true)
        case .server: _ = try InputLine<ServerCommand>(parsing: line, slashCommands: true)
        }
    }

    @Test("plain lines are text, exactly")
    func plainText() throws {
        #expect(try self.parse("hello world") == .text("hello world"))
        #expect(try self.parse("  spaced  ") == .text("  spaced  "))
        #expect(try self.parse("") == .text(""))
    }

    @Test("with slash commands off, a leading slash is text")
    func slashOff() throws {
        #expect(try self.parse("/close", slash: false) == .text("/close"))
    }

    @Test("a double slash sends a literal slash")
    func doubleSlash() throws {
        #expect(try self.parse("//x") == .text("/x"))
        #expect(try self.parse("//") == .text("/"))
    }

    @Test(
        "each command parses",
        arguments: [
            ("/help", SlashCommand.help),
            ("/quit", .quit),
            ("/status", .status),
            ("/close", .close(code: .normalClosure, reason: "")),
            ("/close 4000", .close(code: CloseCode(4000), reason: "")),
            ("/close 1001 going away now", .close(code: .goingAway, reason: "going away now")),
            ("/ping", .ping([])),
            ("/ping hi there", .ping(Array("hi there".utf8))),
            ("/pong x", .pong([0x78])),
            ("/json { \"a\" : [1, 2] }", .json("{\"a\":[1,2]}")),
            ("/file /tmp/a b.bin", .file(path: "/tmp/a b.bin")),
            ("/file \"/tmp/q.bin\"", .file(path: "/tmp/q.bin")),
            ("/file /tmp/with\\ space/a\\ b.bin", .file(path: "/tmp/with space/a b.bin")),
            ("/text back\\\\slash\\'s.txt", .text(path: "back\\slash's.txt")),
            ("/file '/tmp/a\\ b'", .file(path: "/tmp/a\\ b")),
            ("/text notes.txt", .text(path: "notes.txt")),
        ]
    )
    func commands(line: String, expected: SlashCommand) throws {
        #expect(try self.parse(line) == .command(expected))
    }

    @Test(
        "bad commands are refused with a reason",
        arguments: [
            ("/nope", "unknown command '/nope'"),
            ("/json {bad", "invalid JSON"),
            ("/json", "usage: /json"),
            ("/file", "usage: /file"),
            ("/close 1005", "cannot be sent"),
            ("/close 1006", "cannot be sent"),
            ("/close 999", "cannot be sent"),
            ("/close 5000", "cannot be sent"),
            ("/close abc", "is not a close code"),
            ("/ping " + String(repeating: "x", count: 126), "the limit is 125"),
            ("/close 1000 " + String(repeating: "r", count: 124), "the limit is 123"),
        ]
    )
    func refused(line: String, fragment: String) {
        #expect {
            try self.parse(line)
        } throws: { error in
            (error as? InputError)?.message.contains(fragment) == true
        }
    }

    @Test(
        "the server's prompt has /to, /clients and /close with a client id",
        arguments: [
            ("/clients", ServerCommand.clients),
            ("/to 2 hello  world ", .to(client: 2, text: "hello  world ")),
            ("/to #12 /not a command", .to(client: 12, text: "/not a command")),
            ("/to 3 ", .to(client: 3, text: "")),
            ("/close", .everyClient(.close(code: .normalClosure, reason: ""))),
            ("/close 2", .closeClient(2, code: .normalClosure, reason: "")),
            ("/close #1500 4000 bye now", .closeClient(1500, code: CloseCode(4000), reason: "bye now")),
            ("/close 1001", .everyClient(.close(code: .goingAway, reason: ""))),
            ("/close 1000 done", .everyClient(.close(code: .normalClosure, reason: "done"))),
            ("/close 7 1001 shutting down", .closeClient(7, code: .goingAway, reason: "shutting down")),
            ("/json [1, 2]", .everyClient(.json("[1,2]"))),
        ]
    )
    func listenCommands(line: String, expected: ServerCommand) throws {
        #expect(try InputLine<ServerCommand>(parsing: line, slashCommands: true) == .command(expected))
    }

    @Test(
        "listen commands are refused where they do not belong, and bad ids too",
        arguments: [
            ("/to 2 x", ConnectionRole.client, "command of the server's prompt"),
            ("/clients", .client, "command of the server's prompt"),
            ("/close #2", .client, "is not a close code"),
            ("/to", .server, "usage: /to"),
            ("/to 2", .server, "usage: /to"),
            ("/to x hi", .server, "is not a client id"),
            ("/to #0 hi", .server, "is not a client id"),
            ("/close #x", .server, "is not a client id"),
            ("/close 2 999", .server, "cannot be sent"),
        ]
    )
    func listenRefusals(line: String, role: ConnectionRole, fragment: String) {
        #expect {
            try self.parse(line, role: role)
        } throws: { error in
            (error as? InputError)?.message.contains(fragment) == true
        }
    }

    @Test("/help lists each prompt's commands, aligned")
    func helpText() {
        let client = SlashCommand.helpText(for: .client)
        let server = SlashCommand.helpText(for: .server)
        #expect(client.contains("  /close [code [reason]]  close the connection"))
        #expect(!client.contains("/clients"))
        #expect(server.contains("/to <id> <text>"))
        #expect(server.contains("/close [id] [code [reason]]"))
        #expect(server.hasSuffix("send text that starts with '/'"))
    }

    @Test("close codes that may be sent")
    func closeCodes() {
        for code in [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999] {
            #expect(CloseCode(UInt16(code)).isValidOnTheWire, "\(code)")
        }
        for code in [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535] {
            #expect(!CloseCode(UInt16(code)).isValidOnTheWire, "\(code)")
        }
    }
}
