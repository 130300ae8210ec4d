import Foundation
import Testing

extension EndToEnd {
    /// `--reconnect`: backoff, and nothing sent meanwhile is lost.
    ///
    /// The servers are `wsc --listen` on a port the test picks, stopped and started again,
    /// and Python `websockets`.
    @Suite("--reconnect", .timeLimit(.minutes(2)))
    struct ReconnectEndToEndTests {
        static func count(_ text: String, in output: String) -> Int {
            output.components(separatedBy: text).count - 1
        }

        @Test("no server yet: attempts with backoff, and lines piped meanwhile arrive once it is up")
        func serverComesUp() throws {
            let port = try LoopbackPort.free()
            let client = try ClientProcess.start(["--reconnect", "--reconnect-max", "0.4", "ws://127.0.0.1:\(port)/"])
            client.write("one\ntwo\n")
            try client.wait(for: "a second attempt", onStandardError: true) { $0.contains("(attempt 2)") }
            let server = try ListenProcess.start(["--echo"], listen: "127.0.0.1:\(port)")
            try client.wait(for: "the queued lines echoed") { $0 == "one\ntwo\n" }
            #expect(client.finish() == 0)
            #expect(client.standardError.contains("error: could not connect to 127.0.0.1:\(port): Connection refused"))
            #expect(client.standardError.contains("Reconnecting in 0."))
            server.send(SIGINT)
            _ = try server.finish()
        }

        @Test("a dropped connection: reconnects, and lines written while it was down are sent, in order")
        func dropped() throws {
            let port = try LoopbackPort.free()
            let first = try ListenProcess.start(["--echo"], listen: "127.0.0.1:\(port)")
            let client = try ClientProcess.start(["--reconnect", "--reconnect-max", "0.4", "ws://127.0.0.1:\(port)/"])
            client.write("before\n")
            try client.wait(for: "the first echo") { $0 == "before\n" }
            first.send(SIGKILL)
            try client.wait(for: "the reconnect event", onStandardError: true) { $0.contains("Reconnecting in") }
            client.write("while down 1\nwhile down 2\n")
            try client.wait(for: "another attempt", onStandardError: true) {
                Self.count("Reconnecting in", in: $0) >= 2
            }
            let second = try ListenProcess.start(["--echo"], listen: "127.0.0.1:\(port)")
            try client.wait(for: "the lines sent while down") { $0 == "before\nwhile down 1\nwhile down 2\n" }
            client.write("after\n")
            try client.wait(for: "the last echo") { $0.hasSuffix("after\n") }
            #expect(client.finish() == 0)
            #expect(client.standardOutput == "before\nwhile down 1\nwhile down 2\nafter\n")
            #expect(Self.count("Connected to", in: client.standardError) == 2)
            #expect(client.standardError.contains("Disconnected (code: 1006, reason: \"\", wasClean: false)"))
            second.send(SIGINT)
            _ = try second.finish()
        }

        @Test("1012 from Python websockets reconnects; a clean 1000 and a 403 do not; options checked")
        func decisions() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let url = "ws://127.0.0.1:\(server.port)/"
            let restart = try WSCRun.run(["--reconnect", "--reconnect-max", "0.3", "-x", "!close 1012 restarting", url])
            #expect(restart.status == 0, "\(restart.standardError)")
            #expect(
                restart.standardError.contains(
                    "Disconnected (code: 1012, reason: \"restarting\", wasClean: true)\nReconnecting in"
                )
            )
            #expect(Self.count("Connected to", in: restart.standardError) == 2)

            let clean = try WSCRun.run(["--reconnect", "-x", "!close 1000 done", url])
            #expect(clean.status == 0)
            #expect(!clean.standardError.contains("Reconnecting"))
            let refused = try WSCRun.run(["--reconnect", "-x", "x", "ws://127.0.0.1:\(server.port)/reject"])
            #expect(refused.status == 76)
            #expect(!refused.standardError.contains("Reconnecting"))

            #expect(try WSCRun.run(["--reconnect-max", "5", url]).status == 64)
            #expect(try WSCRun.run(["--reconnect", "--reconnect-max", "0", url]).status == 64)
            #expect(try WSCRun.run(["--listen", "0", "--reconnect"]).status == 64)
        }

        @Test("--ndjson reports each attempt, numbered, with its delay; SIGINT ends the waiting (130)")
        func ndjsonAttempts() throws {
            let port = try LoopbackPort.free()
            let client = try ClientProcess.start([
                "--reconnect", "--reconnect-max", "0.2", "--ndjson", "ws://127.0.0.1:\(port)/",
            ])
            client.write("x\n")
            try client.wait(for: "the third attempt") { $0.contains(#"{"event":"reconnect","attempt":3,"#) }
            #expect(try client.signalled(SIGINT) == 130)
            let lines = client.standardOutput.split(separator: "\n")
            for attempt in 1...3 {
                #expect(
                    lines.contains { $0.hasPrefix(#"{"event":"reconnect","attempt":\#(attempt),"delayMilliseconds":"#) }
                )
            }
        }

        @Test("--timeout ends a session that keeps failing (124), reporting what was not sent")
        func timeoutWhileReconnecting() throws {
            let port = try LoopbackPort.free()
            let run = try WSCRun.run([
                "--reconnect", "--reconnect-max", "0.2", "--ndjson", "--timeout", "1.5", "-x", "x",
                "ws://127.0.0.1:\(port)/",
            ])
            #expect(run.status == 124)
            let lines = run.output.split(separator: "\n")
            #expect(lines.contains { $0.hasPrefix(#"{"event":"reconnect","attempt":1,"delayMilliseconds":"#) })
            // What never found a connection is reported, not dropped in silence.
            #expect(
                lines.contains {
                    $0.hasPrefix(
                        #"{"event":"error","message":"1 message not sent: the connection ended before it went out""#
                    )
                }
            )
        }
    }
}
