import Foundation
import Testing
import WSCTestSupport

extension EndToEnd {
    /// `wsc --listen` with pipes, against Python `websockets` clients and `wsc` clients.
    @Suite("wsc --listen in pipes", .timeLimit(.minutes(2)))
    struct ListenTests {
        @Test("many clients at once, Python websockets and wsc: each is echoed exactly its own, ids in the events")
        func manyClients() async throws {
            let server = try ListenProcess.start(["--echo"])
            let url = server.url
            async let python = onOwnThread { try pythonClient([url, "many", "10", "100"]) }
            let lines = (0..<200).map { "wsc line \($0)" }
            let input = Data((lines.joined(separator: "\n") + "\n").utf8)
            async let clients = withThrowingTaskGroup(of: WSCRun.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await onOwnThread { try WSCRun.run([url], input: input) } }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let pythonRun = try await python
            #expect(pythonRun.status == 0, "\(pythonRun.standardError)")
            #expect(pythonRun.output == "ok 10 clients\n")
            for run in try await clients {
                #expect(run.status == 0)
                #expect(run.output == lines.joined(separator: "\n") + "\n")
            }
            server.send(SIGINT)
            let finished = try server.finish()
            #expect(finished.status == 130)
            let opens = finished.errors.split(separator: "\n").filter {
                $0.contains("Client connected from 127.0.0.1:")
            }
            #expect(opens.count == 14)
            for id in 1...14 {
                #expect(finished.errors.contains("[#\(id)] Client connected from 127.0.0.1:"))
                #expect(finished.errors.contains("[#\(id)] Disconnected (code: 1000, reason: \"\", wasClean: true)"))
            }
            // Payloads from every client, on stdout: 10 × 100 + 4 × 200 lines.
            #expect(finished.output.split(separator: "\n", omittingEmptySubsequences: false).count == 1000 + 800 + 1)
        }

        @Test("--echo is byte-exact for binary of every size (Python websockets), and for a file sent by wsc")
        func binaryEcho() throws {
            let server = try ListenProcess.start(["--echo", "--binary-format", "summary"])
            let python = try pythonClient([server.url, "binary"])
            #expect(python.status == 0, "\(python.standardError)")
            #expect(python.output == "ok binary\n")

            let directory = try Paths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            var random = SystemRandomNumberGenerator()
            let bytes = (0..<(5 << 20)).map { _ in UInt8.random(in: 0...255, using: &random) }
            _ = FileManager.default.createFile(atPath: directory + "/blob", contents: Data(bytes))
            let run = try WSCRun.run(["--file", directory + "/blob", server.url])
            #expect(run.status == 0)
            #expect(Array(run.standardOutput) == bytes)
            server.send(SIGTERM)
            let finished = try server.finish()
            #expect(finished.status == 143)
            #expect(finished.output.contains("[binary 5242880 bytes]"))
        }

        @Test("piped lines wait for the first client, then go to every client; replies come out on stdout; /quit ends")
        func broadcastAndReplies() async throws {
            let server = try ListenProcess.start(["--slash"])
            server.write("sent before anyone connected\n")
            let python = try pythonClient([server.url, "talk"])
            #expect(python.status == 0, "\(python.standardError)")
            #expect(python.output == "received: sent before anyone connected\n")

            let url = server.url
            async let first = onOwnThread { try pythonClient([url, "wait-close"]) }
            async let second = onOwnThread { try pythonClient([url, "wait-close"]) }
            // Both connect (ids 2 and 3) before the line is written.
            try server.waitForStandardError(containing: "[#3] Client connected")
            server.write("to everyone\n/json { \"a\" : [1, 2] }\n/quit\n")
            let finished = try server.finish()
            #expect(finished.status == 0)
            #expect(finished.output == "reply from python\n")
            for run in try await [first, second] {
                #expect(run.output == "received: to everyone\nreceived: {\"a\":[1,2]}\nclosed: 1001 \n")
            }
        }

        @Test("--chunk-size: piped bytes go to every client as binary messages, byte-exact")
        func chunksToEveryClient() async throws {
            let server = try ListenProcess.start(["--chunk-size", "64K"])
            var generator = SystemRandomNumberGenerator()
            let input = Data((0..<200_000).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let url = server.url
            let client = ["-w", "-1", "--count", "4", "--binary-format", "base64", url]
            async let first = onOwnThread { try WSCRun.run(client) }
            async let second = onOwnThread { try WSCRun.run(client) }
            // Both connect before the bytes are written: each gets all of them.
            try server.waitForStandardError(containing: "[#2] Client connected")
            server.write(input)
            // The last record is short: it goes at the end of input (which ends nothing here).
            server.closeInput()
            for run in try await [first, second] {
                #expect(run.status == 0, "\(run.standardError)")
                let messages = run.output.split(separator: "\n").compactMap { Data(base64Encoded: String($0)) }
                #expect(messages.map(\.count) == [65536, 65536, 65536, 200_000 - 3 * 65536])
                #expect(messages.reduce(Data(), +) == input)
            }
            server.send(SIGTERM)
            _ = try server.finish()
        }

        @Test("--ndjson: a listening event with the URL, then every event with the client's id")
        func ndjson() throws {
            let server = try ListenProcess.start(["--ndjson", "--echo"])
            let run = try WSCRun.run(["-x", "hi", server.url])
            #expect(run.status == 0)
            server.send(SIGINT)
            let finished = try server.finish()
            let lines = finished.output.split(separator: "\n")
            #expect(lines.first?.hasPrefix(#"{"event":"listening","url":"ws://127.0.0.1:\#(server.port)/""#) == true)
            #expect(
                lines.contains {
                    $0.hasPrefix(
                        #"{"event":"open","client":1,"url":"/","protocol":null,"extensions":["permessage-deflate"],"remoteAddress":"127.0.0.1:"#
                    )
                }
            )
            #expect(lines.contains { $0.hasPrefix(#"{"event":"message","client":1,"type":"text","data":"hi","#) })
            #expect(
                lines.contains {
                    $0.hasPrefix(#"{"event":"close","client":1,"code":1000,"reason":"","wasClean":true,"#)
                }
            )
        }

        @Test("--origin: another Origin gets 403 (wsc client exits 76 and shows why); a listed one connects")
        func originRejection() throws {
            let server = try ListenProcess.start(["--echo", "--origin", "http://app.test"])
            let refused = try WSCRun.run(["-x", "hi", "-o", "http://evil.test", server.url])
            #expect(refused.status == 76)
            #expect(refused.standardError.contains("403"))
            #expect(refused.standardError.contains("Origin 'http://evil.test' is not allowed"))
            let accepted = try WSCRun.run(["-x", "hi", "-o", "http://app.test", server.url])
            #expect(accepted.status == 0)
            #expect(accepted.output == "hi\n")
            server.send(SIGINT)
            let finished = try server.finish()
            #expect(finished.errors.contains("refused 127.0.0.1:"))
            #expect(finished.errors.contains("answered 403: Forbidden: Origin 'http://evil.test' is not allowed."))
            #expect(finished.errors.contains("[#1] Client connected"))
            #expect(!finished.errors.contains("[#2]"))
        }

        @Test("--subprotocol: the server's first choice among those offered (Python websockets and wsc)")
        func subprotocolSelection() throws {
            let server = try ListenProcess.start(["--echo", "-s", "v2.chat", "-s", "v1.chat"])
            #expect(try pythonClient([server.url, "offer", "v1.chat,v2.chat"]).output == "selected: v2.chat\n")
            #expect(try pythonClient([server.url, "offer", "mqtt,v1.chat"]).output == "selected: v1.chat\n")
            #expect(try pythonClient([server.url, "offer", "mqtt"]).output == "selected: None\n")
            let run = try WSCRun.run(["-x", "hi", "-s", "v1.chat", server.url])
            #expect(run.standardError.contains("subprotocol: v1.chat"))
            server.send(SIGINT)
            let finished = try server.finish()
            #expect(finished.errors.contains("[#1] Client connected from 127.0.0.1:"))
            #expect(finished.errors.contains("subprotocol: v2.chat"))
        }

        @Test("a client that drops TCP shows 1006, wasClean false; the server goes on")
        func abruptDrop() throws {
            let server = try ListenProcess.start(["--echo"])
            #expect(try pythonClient([server.url, "drop"]).output == "dropped\n")
            let after = try WSCRun.run(["-x", "still serving", server.url])
            #expect(after.output == "still serving\n")
            server.send(SIGINT)
            let finished = try server.finish()
            #expect(finished.errors.contains("[#1] Disconnected (code: 1006, reason: \"\", wasClean: false)"))
            #expect(finished.errors.contains("[#2] Disconnected (code: 1000, reason: \"\", wasClean: true)"))
        }

        @Test("wss:// with a test certificate; the wsc client trusts it with --ca")
        func secure() throws {
            let certificates = try TestCertificates.make()
            defer { certificates.remove() }
            let server = try ListenProcess.start([
                "--echo", "--cert", certificates.serverCertificate, "--key", certificates.serverKey,
            ])
            let url = "wss://127.0.0.1:\(server.port)/"
            let run = try WSCRun.run(["-x", "over tls", "--ca", certificates.caFile, url])
            #expect(run.status == 0)
            #expect(run.output == "over tls\n")
            let untrusting = try WSCRun.run(["-x", "over tls", url])
            #expect(untrusting.status == 69)
            server.send(SIGINT)
            let finished = try server.finish()
            #expect(finished.errors.hasPrefix("Listening on wss://127.0.0.1:\(server.port)/"))
            #expect(finished.errors.contains("refused 127.0.0.1:"))
        }

        @Test("--count ends the server after that many messages, closing its clients with 1001; exit 0")
        func countEndsServer() throws {
            let server = try ListenProcess.start(["--count", "2"])
            let client = try WSCRun.run(["-w", "-1", server.url], input: Data("one\ntwo\nthree\n".utf8))
            #expect(client.standardError.contains("Disconnected (code: 1001, reason: \"\", wasClean: true)"))
            let finished = try server.finish()
            #expect(finished.status == 0)
            #expect(finished.output == "one\ntwo\n")
        }

        @Test("--expect ends the server at the matching message; --timeout while no client answers ends it with 124")
        func expectAndTimeout() throws {
            let server = try ListenProcess.start(["--expect", "^tw"])
            let client = try WSCRun.run(["-w", "-1", server.url], input: Data("one\ntwo\nthree\n".utf8))
            #expect(client.standardError.contains("Disconnected (code: 1001, reason: \"\", wasClean: true)"))
            let finished = try server.finish()
            #expect(finished.status == 0)
            #expect(finished.output == "one\ntwo\n")
            let idle = try ListenProcess.start(["--timeout", "0.5"])
            let ended = try idle.finish()
            #expect(ended.status == 124)
            #expect(ended.errors.contains("timed out: --timeout of 500 ms ran out"))
        }

        @Test("a wsc client with --bind 127.0.0.2 is seen coming from there; bad --bind, -4 with -6: exit 64")
        func bindFromTheClient() throws {
            let server = try ListenProcess.start(["--echo"])
            let run = try WSCRun.run(["--bind", "127.0.0.2", "-4", "-x", "hi", server.url])
            #expect(run.status == 0)
            #expect(run.output == "hi\n")
            server.send(SIGINT)
            #expect(try server.finish().errors.contains("[#1] Client connected from 127.0.0.2:"))
            for arguments in [["--bind", "localhost"], ["-4", "-6"], ["-6", "--bind", "127.0.0.1"]] {
                #expect(try WSCRun.run(arguments + [server.url]).status == 64, "\(arguments)")
            }
        }

        @Test("--local-echo (what make run opens): a client on the embedded echo server, byte-exact, exit 0")
        func localEcho() throws {
            let run = try WSCRun.run(["--local-echo"], input: Data("first\nsecond ✓\n".utf8))
            #expect(run.status == 0)
            #expect(run.output == "first\nsecond ✓\n")
            #expect(run.standardError.hasPrefix("Connected to ws://127.0.0.1:"))
        }

        @Test("options that only make sense for a client are refused with --listen (exit 64)")
        func clientOnlyOptions() throws {
            for option in [
                ["--auth", "a:b"], ["-k"], ["--keep-open"], ["-w", "1"], ["--connect-timeout", "1"],
                ["--bind", "127.0.0.2"], ["-4"],
            ] {
                let run = try WSCRun.run(["--listen", "0"] + option)
                #expect(run.status == 64, "\(option)")
                #expect(run.standardError.contains("does not go with --listen"), "\(option)")
            }
            let busy = try ListenProcess.start([])
            let again = try WSCRun.run(["--listen", "\(busy.port)"])
            #expect(again.status == 69)
            // In words, without NIO's call and its unbalanced parentheses.
            #expect(again.standardError == "error: cannot listen on 127.0.0.1:\(busy.port): Address already in use\n")
            busy.send(SIGINT)
            _ = try busy.finish()
        }
    }
}
