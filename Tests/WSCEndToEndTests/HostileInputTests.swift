import Foundation
import Testing

extension EndToEnd {
    /// Input that is wrong or hostile, from the user or the server: refused with a clear
    /// error or shown harmlessly; the session goes on, memory stays bounded.
    @Suite("hostile or wrong input", .timeLimit(.minutes(2)))
    struct HostileInputTests {
        @Test("invalid UTF-8 on stdin in text mode: an error, the line not sent, the next lines are")
        func invalidUTF8() throws {
            let server = try PeerServer.wscEcho()
            defer { server.stop() }
            let input =
                Data("first\n".utf8) + Data([0xFF, 0xFE, 0x62, 0x61, 0x64, 0x0A, 0xC3, 0x28, 0x0A])
                + Data("last\n".utf8)
            let run = try WSCRun.run(["ws://127.0.0.1:\(server.port)/"], input: input)
            // Input not sent counts in the exit status (65).
            #expect(run.status == 65)
            #expect(run.output == "first\nlast\n")
            #expect(
                run.standardError.components(separatedBy: "error: line not sent: it is not valid UTF-8\n").count == 3
            )
        }

        @Test(
            "a line longer than --max-message-size is refused with its size; one at the limit is sent; -b and --whole too"
        )
        func overlongLines() throws {
            let server = try PeerServer.wscEcho()
            defer { server.stop() }
            let url = "ws://127.0.0.1:\(server.port)/"
            let atLimit = String(repeating: "a", count: 1024)
            let input = Data("short\n\(atLimit)\n\(atLimit)b\nafter\n".utf8)
            for mode in [[String](), ["-b"]] {
                let run = try WSCRun.run(mode + ["--max-message-size", "1K", url], input: input)
                #expect(run.status == 65, "\(mode)")
                // Binary comes out raw in a pipe: no newlines.
                let separator = mode.isEmpty ? "\n" : ""
                #expect(run.output == ["short", atLimit, "after", ""].joined(separator: separator), "\(mode)")
                #expect(
                    run.standardError.contains(
                        "error: line not sent: its 1025 bytes are more than --max-message-size 1K allows\n"
                    ),
                    "\(mode)"
                )
            }
            let whole = try WSCRun.run(["--whole", "--max-message-size", "1K", url], input: input)
            #expect(whole.status == 65)
            #expect(whole.output.isEmpty)
            #expect(
                whole.standardError.contains(
                    "error: input not sent: its \(input.count) bytes are more than --max-message-size 1K allows\n"
                )
            )
        }

        @Test("a 1 GiB line on stdin: read through and refused in bounded memory; the lines around it are sent")
        func gigabyteLine() throws {
            let server = try PeerServer.wscEcho()
            defer { server.stop() }
            let directory = try Paths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let command = """
                { printf 'before\\n'; head -c 1073741824 /dev/zero | tr '\\\\0' a; printf '\\nafter\\n'; } \
                | exec '\(Paths.wsc)' ws://127.0.0.1:\(server.port)/ > '\(directory)/out' 2> '\(directory)/err'
                """
            let (status, peakKiB) = try Spawn.measure(command, environment: ProcessInfo.processInfo.environment)
            #expect(status == 65)
            #expect(try String(contentsOfFile: directory + "/out", encoding: .utf8) == "before\nafter\n")
            let errors = try String(contentsOfFile: directory + "/err", encoding: .utf8)
            #expect(
                errors.contains(
                    "error: line not sent: its 1073741824 bytes are more than --max-message-size 64M allows\n"
                )
            )
            // The line is never held whole: at most the 64 MiB limit (and its growth) is.
            #expect(peakKiB < 256 * 1024, "peak \(peakKiB) KiB")
        }

        @Test("binary garbage pasted at the prompt: edited or sent, never a crash; the session goes on")
        func garbageAtThePrompt() throws {
            let server = try PeerServer.wscEcho()
            defer { server.stop() }
            let state = try Paths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: state) }
            let terminal = try Tmux(
                "'\(Paths.wsc)' ws://127.0.0.1:\(server.port)/",
                environment: ["XDG_STATE_HOME": state]
            )
            try terminal.waitFor("Connected")
            // Random bytes of every kind, but not the ones a terminal turns into signals or
            // flow control (Ctrl-C, Ctrl-Z, Ctrl-\, Ctrl-S, Ctrl-Q, Ctrl-V, Ctrl-O) or that
            // end input (Ctrl-D) or the line (CR, LF): those have meanings of their own.
            let special: Set<UInt8> = [0x03, 0x04, 0x0A, 0x0D, 0x0F, 0x11, 0x13, 0x16, 0x1A, 0x1C]
            var generator = SystemRandomNumberGenerator()
            for _ in 0..<4 {
                let garbage = (0..<200).map { _ in
                    var byte = UInt8.random(in: 0...255, using: &generator)
                    while special.contains(byte) {
                        byte = UInt8.random(in: 0...255, using: &generator)
                    }
                    return byte
                }
                try terminal.send(bytes: garbage)
                try terminal.press("Enter")
            }
            // Keys are taken in order: the echo of this line comes after all the garbage.
            try terminal.press("C-u")
            try terminal.type("still alive")
            try terminal.press("Enter")
            try terminal.waitFor("< still alive")
            #expect(try !terminal.screen().contains("[exit"))
            try terminal.press("C-d")
            let exit = try terminal.waitForExit()
            #expect(exit.status == 0)
            #expect(exit.terminalRestored)
        }

        @Test("a server flooding 100,000 messages at once: all shown, the half-typed line intact, memory bounded")
        func flood() throws {
            let server = try PeerServer.misbehaving("flood")
            defer { server.stop() }
            let directory = try Paths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let peak = directory + "/peak"
            let terminal = try Tmux(
                "/usr/bin/time -o '\(peak)' -f %M '\(Paths.wsc)' ws://127.0.0.1:\(server.port)/",
                historyLimit: 110_000,
                environment: ["XDG_STATE_HOME": directory]
            )
            try terminal.waitFor("Connected")
            // The server floods once it hears from us: about a megabyte of frames at once.
            try terminal.type("go")
            try terminal.press("Enter")
            try terminal.type("half typed")
            // The prompt is redrawn under the last message, the cursor at the line's end.
            try terminal.waitForLastLines(["< msg 99999", "< flood done", "> half typed"], timeout: 60)
            try terminal.waitForCursor(x: "> half typed".count)
            // Every message, once and in order, in the pane's scrollback.
            let messages = try terminal.history().filter { $0.hasPrefix("< msg ") }
            #expect(messages.count == 100_000)
            #expect(messages == (0..<100_000).map { "< msg \($0)" })
            try terminal.press("C-u", "C-d")
            #expect(try terminal.waitForExit().status == 0)
            let report = try String(contentsOfFile: peak, encoding: .utf8)
            let peakKiB = try #require(report.split(separator: "\n").last.flatMap { Int($0) }, "\(report)")
            // The bound is the feature (a flood is shown, not heaped up): far above the tens
            // of MB a debug build peaks at, far below a copy per message kept.
            #expect(peakKiB < 128 * 1024, "peak \(peakKiB) KiB")
        }

        @Test("absurd option values: negative, zero, infinite, not numbers, sizes too big: 64 and a clear error")
        func absurdOptions() throws {
            let cases: [([String], String)] = [
                (["--connect-timeout", "-1"], "--connect-timeout takes seconds from 0.001 to 1000000000"),
                (["--connect-timeout", "inf"], "--connect-timeout takes seconds from 0.001 to 1000000000"),
                (["--close-timeout", "-5"], "--close-timeout takes seconds from 0.001 to 1000000000"),
                (["--close-timeout", "0"], "--close-timeout takes seconds from 0.001 to 1000000000"),
                (["--timeout", "-1"], "--timeout takes seconds from 0.001 to 1000000000"),
                (["--timeout", "nan"], "--timeout takes seconds from 0.001 to 1000000000"),
                (
                    ["-w", "-2"],
                    "--wait takes seconds from 0.001 to 1000000000, or 0 to close at once, or -1 to wait for the server to close"
                ),
                (["--ping-interval", "-1"], "--ping-interval takes seconds from 0.001 to 1000000000"),
                (
                    ["--ping-interval", "1", "--ping-timeout", "0"],
                    "--ping-timeout takes seconds from 0.001 to 1000000000"
                ),
                (["--count", "-1"], "--count takes a positive number"),
                (["--count", "0"], "--count takes a positive number"),
                (["--reconnect", "--reconnect-max", "-3"], "--reconnect-max takes seconds from 0.1 to 1000000000"),
                (["-L", "--max-redirects", "-2"], "--max-redirects takes 0 or more"),
                (["--max-message-size", "-1"], "'-1' is not a size (e.g. 1048576, 512K, 64M, 1G)"),
                (["--max-message-size", "99999999999G"], "'99999999999G' is not a size (e.g. 1048576, 512K, 64M, 1G)"),
                (["--connect-timeout", "soon"], "The value 'soon' is invalid for '--connect-timeout <seconds>'"),
            ]
            for (arguments, message) in cases {
                let run = try WSCRun.run(arguments + ["-x", "hi", "ws://127.0.0.1:9/"])
                #expect(run.status == 64, "\(arguments)")
                #expect(run.standardError.hasPrefix("Error: \(message)"), "\(arguments): \(run.standardError)")
            }
        }

        @Test(
            "close codes that may not be sent (1005, 1006, 1015, under 1000, over 4999) are refused; the session goes on"
        )
        func forbiddenCloseCodes() throws {
            let server = try PeerServer.wscEcho()
            defer { server.stop() }
            let input = Data(
                "/close 1005\n/close 1006\n/close 1015\n/close 999\n/close 5000 bye\n/close 70000\nstill here\n/close 4000 done\n"
                    .utf8
            )
            let run = try WSCRun.run(["--slash", "ws://127.0.0.1:\(server.port)/"], input: input)
            #expect(run.output == "still here\n")
            for code in ["1005", "1006", "1015", "999", "5000"] {
                #expect(
                    run.standardError.contains(
                        "error: close code \(code) cannot be sent (use 1000-1003, 1007-1014 or 3000-4999)\n"
                    ),
                    "\(code)"
                )
            }
            #expect(run.standardError.contains("70000"))
            // The echo server answers with the code alone.
            #expect(run.standardError.hasSuffix("Disconnected (code: 4000, reason: \"\", wasClean: true)\n"))
            #expect(run.status == 0)
        }
    }
}
