import Foundation
import Testing

extension EndToEnd {
    /// The built `wsc` with pipes (no terminal), against independent peers.
    @Suite("wsc in pipes: payloads, events and exit statuses", .timeLimit(.minutes(2)))
    struct PipeAndExitStatusTests {
        @Test("lines piped in come back on stdout; events go to stderr (Python websockets)")
        func echoThroughPython() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let run = try WSCRun.run(["ws://127.0.0.1:\(server.port)/"], input: Data("one\ntwo words\n\nthree\n".utf8))
            #expect(run.status == 0)
            #expect(run.output == "one\ntwo words\n\nthree\n")
            #expect(run.standardError.contains("Connected to ws://127.0.0.1:\(server.port)/"))
            #expect(run.standardError.contains("Disconnected (code: 1000, reason: \"\", wasClean: true)"))
            #expect(!run.output.contains(">"))
        }

        @Test("the server's close code and reason show in pipe mode and set the exit status")
        func serverCloseCode() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let run = try WSCRun.run(["ws://127.0.0.1:\(server.port)/"], input: Data("!close 4001 bye\n".utf8))
            #expect(run.status == 1)
            #expect(run.standardError.contains("Disconnected (code: 4001, reason: \"bye\", wasClean: true)"))
        }

        @Test("binary comes out raw by default, base64 on request")
        func binary() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let raw = try WSCRun.run(["ws://127.0.0.1:\(server.port)/"], input: Data("!binary 00ff0a41\n".utf8))
            #expect(raw.standardOutput == Data([0x00, 0xFF, 0x0A, 0x41]))
            let base64 = try WSCRun.run(
                ["--binary-format", "base64", "ws://127.0.0.1:\(server.port)/"],
                input: Data("!binary 00ff0a41\n".utf8)
            )
            #expect(base64.output == "AP8KQQ==\n")
        }

        @Test("against wsc's own echo server (--listen 0 --echo)")
        func ownEchoServer() throws {
            let server = try PeerServer.wscEcho()
            defer { server.stop() }
            let run = try WSCRun.run(["ws://127.0.0.1:\(server.port)/"], input: Data("ping me\n".utf8))
            #expect(run.status == 0)
            #expect(run.output == "ping me\n")
        }

        @Test("exit statuses: refused upgrade 76 with body, refused connection 69, bad URL 64, bad option 64")
        func exitStatuses() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let refused = try WSCRun.run(["ws://127.0.0.1:\(server.port)/reject"])
            #expect(refused.status == 76)
            #expect(refused.standardError.contains("HTTP/1.1 403 Forbidden"))
            #expect(refused.standardError.contains("no entry for you"))

            let closedPort = try WSCRun.run(["ws://127.0.0.1:1/"])
            #expect(closedPort.status == 69)
            #expect(closedPort.standardError.contains("Connection refused"))

            #expect(try WSCRun.run(["http://example.test/"]).status == 64)
            #expect(try WSCRun.run(["ws://[::1/"]).status == 64)
            #expect(try WSCRun.run(["--no-such-option", "ws://127.0.0.1:1/"]).status == 64)
            #expect(try WSCRun.run([]).status == 64)
            #expect(try WSCRun.run(["-H", "no colon", "ws://127.0.0.1:1/"]).status == 64)
        }

        @Test("the TCP connection drops: 1006, wasClean false, exit 1")
        func dropped() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let run = try WSCRun.run(["ws://127.0.0.1:\(server.port)/"], input: Data("!drop\n".utf8))
            #expect(run.status == 1)
            #expect(run.standardError.contains("Disconnected (code: 1006, reason: \"\", wasClean: false)"))
        }

        @Test("--help, --version and the completion script come from ArgumentParser")
        func helpAndVersion() throws {
            let help = try WSCRun.run(["--help"])
            #expect(help.status == 0)
            #expect(help.output.contains("--subprotocol"))
            #expect(try WSCRun.run(["--version"]).output == "0.1.0\n")
            let completion = try WSCRun.run(["--generate-completion-script", "bash"])
            #expect(completion.status == 0 && completion.output.contains("wsc"))
        }

        @Test("-v shows the handshake on stderr with the credentials redacted")
        func verbose() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let run = try WSCRun.run(
                ["-v", "--auth", "bob:hunter2", "-H", "X-Trace: 7", "ws://127.0.0.1:\(server.port)/v?x=1"],
                input: Data("hi\n".utf8)
            )
            #expect(run.status == 0)
            #expect(run.output == "hi\n")
            #expect(run.standardError.contains("> GET /v?x=1 HTTP/1.1"))
            #expect(run.standardError.contains("> Host: 127.0.0.1:\(server.port)"))
            #expect(run.standardError.contains("> Authorization: Basic <redacted>"))
            #expect(run.standardError.contains("> X-Trace: 7"))
            #expect(run.standardError.contains("< HTTP/1.1 101 Switching Protocols"))
            #expect(!run.standardError.contains("hunter2"))
            #expect(!run.standardError.contains("Ym9iOmh1bnRlcjI="))
        }
    }
}

extension EndToEnd {
    /// The scripting options: sends from the command line, framing, waiting, stopping.
    @Suite(
        "wsc in scripts: -x, --json, --file, -0, --whole, --ndjson, --count, --expect, --timeout",
        .timeLimit(.minutes(2))
    )
    struct ScriptingTests {
        @Test("-x and --json are sent in order once connected, then wsc closes cleanly")
        func executeAndJSON() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let run = try WSCRun.run([
                "-x", "first", "-x", "second", "--json", "{ \"k\" : [1, 2.50] }", "ws://127.0.0.1:\(server.port)/",
            ])
            #expect(run.status == 0)
            #expect(run.output == "first\nsecond\n{\"k\":[1,2.50]}\n")
        }

        @Test("invalid --json: 65 and nothing sent; unreadable --file: 66; non-UTF-8 --text-file: 65")
        func badCommandLineData() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let badJSON = try WSCRun.run(["--json", "{nope", "ws://127.0.0.1:\(server.port)/"])
            #expect(badJSON.status == 65)
            #expect(badJSON.standardError.contains("invalid JSON"))
            #expect(!badJSON.standardError.contains("Connected"))
            let missing = try WSCRun.run(["--file", "/nonexistent/file.bin", "ws://127.0.0.1:\(server.port)/"])
            #expect(missing.status == 66)
            #expect(!missing.standardError.contains("Connected"))
            let directory = try Paths.temporaryDirectory()
            try Data([0xC3, 0x28]).write(to: URL(fileURLWithPath: directory + "/bad.txt"))
            #expect(
                try WSCRun.run(["--text-file", directory + "/bad.txt", "ws://127.0.0.1:\(server.port)/"]).status == 65
            )
        }

        @Test("--file sends binary, --text-file text; raw bytes come back")
        func files() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let directory = try Paths.temporaryDirectory()
            let bytes = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
            try bytes.write(to: URL(fileURLWithPath: directory + "/blob.bin"))
            try Data("note\n".utf8).write(to: URL(fileURLWithPath: directory + "/note.txt"))
            let binary = try WSCRun.run(["--file", directory + "/blob.bin", "ws://127.0.0.1:\(server.port)/"])
            #expect(binary.status == 0)
            #expect(binary.standardOutput == bytes)
            let text = try WSCRun.run(["--text-file", directory + "/note.txt", "ws://127.0.0.1:\(server.port)/"])
            #expect(text.output == "note\n\n")
        }

        @Test("-0 splits on NUL, --whole sends everything as one message, -b sends binary")
        func framing() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let nul = try WSCRun.run(["-0", "ws://127.0.0.1:\(server.port)/"], input: Data("a b\nc\u{0}d\u{0}".utf8))
            #expect(nul.output == "a b\nc\nd\n")
            let whole = try WSCRun.run(["--whole", "ws://127.0.0.1:\(server.port)/"], input: Data("x\ny\n".utf8))
            #expect(whole.output == "x\ny\n\n")
            let binary = try WSCRun.run(
                ["-b", "--binary-format", "base64", "ws://127.0.0.1:\(server.port)/"],
                input: Data("hi\n".utf8)
            )
            #expect(binary.output == "aGk=\n")
        }

        @Test("--chunk-size sends stdin as binary messages of that size, cut anywhere, and checks its size")
        func chunks() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            var generator = SystemRandomNumberGenerator()
            let input = (0..<300_007).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // 1K records are cut from large reads; 64K ones are read into buffers of their own
            // and masked in place.
            for (size, text) in [(1024, "1K"), (65536, "64K")] {
                let count = (input.count + size - 1) / size
                let run = try WSCRun.run(
                    // --count, not -w 0: Python websockets stops echoing once our close arrived.
                    [
                        "--chunk-size", text, "--binary-format", "base64", "--count", "\(count)",
                        "ws://127.0.0.1:\(server.port)/",
                    ],
                    input: Data(input)
                )
                #expect(run.status == 0)
                let messages = run.output.split(separator: "\n").compactMap { Data(base64Encoded: String($0)) }
                #expect(messages.count == count)
                #expect(messages.dropLast().allSatisfy { $0.count == size })
                #expect(messages.last?.count == input.count - (count - 1) * size)
                #expect(messages.reduce(Data(), +) == Data(input))
            }

            for arguments in [
                ["--chunk-size", "0"], ["--chunk-size", "2M", "--max-message-size", "1M"],
                ["--chunk-size", "1K", "--whole"],
            ] {
                let refused = try WSCRun.run(arguments + ["ws://127.0.0.1:\(server.port)/"], input: Data())
                #expect(refused.status == 64, "\(arguments)")
            }
        }

        @Test("--ndjson: every event a JSON line on stdout, with time")
        func ndjson() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let run = try WSCRun.run(
                ["--ndjson", "ws://127.0.0.1:\(server.port)/"],
                input: Data("hello\n!close 4001 bye\n".utf8)
            )
            #expect(run.status == 1)
            let lines = run.output.split(separator: "\n").map(String.init)
            #expect(lines.count == 3)
            #expect(lines.first?.hasPrefix("{\"event\":\"open\",\"url\":\"ws://127.0.0.1:\(server.port)/\"") == true)
            #expect(
                lines.dropFirst().first?.hasPrefix(
                    "{\"event\":\"message\",\"type\":\"text\",\"data\":\"hello\",\"time\":\""
                ) == true
            )
            #expect(
                lines.last?.hasPrefix("{\"event\":\"close\",\"code\":4001,\"reason\":\"bye\",\"wasClean\":false")
                    == false
            )
            #expect(
                lines.last?.hasPrefix(
                    "{\"event\":\"close\",\"code\":4001,\"reason\":\"bye\",\"wasClean\":true,\"time\":\""
                ) == true
            )
            for line in lines {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                #expect(object?["time"] is String)
            }
        }

        @Test("--ndjson close events: clean 1000 (exit 0) and an abrupt drop (1006, wasClean false, exit 1)")
        func ndjsonCloses() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let clean = try WSCRun.run(["--ndjson", "-x", "hi", "ws://127.0.0.1:\(server.port)/"])
            #expect(clean.status == 0)
            #expect(
                clean.output.split(separator: "\n").last?.hasPrefix(
                    "{\"event\":\"close\",\"code\":1000,\"reason\":\"\",\"wasClean\":true,"
                ) == true
            )
            let dropped = try WSCRun.run(["--ndjson", "-x", "!drop", "ws://127.0.0.1:\(server.port)/"])
            #expect(dropped.status == 1)
            #expect(
                dropped.output.split(separator: "\n").last?.hasPrefix(
                    "{\"event\":\"close\",\"code\":1006,\"reason\":\"\",\"wasClean\":false,"
                ) == true
            )
        }

        @Test("-w waits that long after the last send, then closes; -w -1 waits for the server")
        func wait() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let start = Date()
            let short = try WSCRun.run(["-w", "1", "-x", "quick", "ws://127.0.0.1:\(server.port)/"])
            #expect(short.status == 0)
            #expect(short.output == "quick\n")
            // The bound is the feature: the echo server never closes, so a wsc that ignored
            // -w would run until the hang guard. 10 s is far above start-up + 1 s anywhere.
            let elapsed = Date().timeIntervalSince(start)
            #expect(elapsed >= 1 && elapsed < 10, "took \(elapsed) s")
            let forever = try WSCRun.run(["-w", "-1", "-x", "!close 1001 leaving", "ws://127.0.0.1:\(server.port)/"])
            #expect(forever.status == 0)
            #expect(forever.standardError.contains("Disconnected (code: 1001, reason: \"leaving\", wasClean: true)"))
        }

        @Test("--count stops after N messages, exactly N printed")
        func count() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let run = try WSCRun.run(["--count", "3", "-x", "!flood 50", "ws://127.0.0.1:\(server.port)/"])
            #expect(run.status == 0)
            #expect(run.output == "msg 0\nmsg 1\nmsg 2\n")
        }

        @Test("--expect met: 0; not met before --timeout: 124")
        func expect() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let met = try WSCRun.run([
                "--expect", "^msg 1$", "--expect", "msg [0-9]7", "-x", "!flood 100", "ws://127.0.0.1:\(server.port)/",
            ])
            #expect(met.status == 0)
            #expect(met.output.hasSuffix("msg 17\n"))
            let start = Date()
            let missed = try WSCRun.run([
                "--expect", "never", "--timeout", "0.5", "-x", "hello", "ws://127.0.0.1:\(server.port)/",
            ])
            #expect(missed.status == 124)
            // The bound is the feature (--timeout ends the wait); 10 s only says it did end.
            let elapsed = Date().timeIntervalSince(start)
            #expect(elapsed >= 0.5 && elapsed < 10, "took \(elapsed) s")
            #expect(missed.standardError.contains("timed out"))
        }

        @Test("| head -1: wsc ends quietly with a close frame, and its own status is 0")
        func closedOutput() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let directory = try Paths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            // wsc's own status, not the pipeline's (which is head's), goes to a file.
            let script = """
                { "$WSC" -x '!flood 100000' ws://127.0.0.1:\(server.port)/ 2>'\(directory)/err'; echo $? >'\(directory)/status'; } | head -1
                """
            let run = try WSCRun.run(["-c", script], environment: ["WSC": Paths.wsc], executable: "/bin/sh")
            #expect(run.output == "msg 0\n")
            #expect(try String(contentsOfFile: directory + "/status", encoding: .utf8) == "0\n")
            let errors = try String(contentsOfFile: directory + "/err", encoding: .utf8)
            #expect(errors.contains("Disconnected (code: 1000"), "\(errors)")
            #expect(!errors.contains("error"), "\(errors)")
            #expect(!errors.lowercased().contains("broken pipe"), "\(errors)")
        }
    }
}
