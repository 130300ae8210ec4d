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
            let base64 = try WSCRun.run(["--binary-format", "base64", "ws://127.0.0.1:\(server.port)/"], input: Data("!binary 00ff0a41\n".utf8))
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
            let run = try WSCRun.run(["-v", "--auth", "bob:hunter2", "-H", "X-Trace: 7", "ws://127.0.0.1:\(server.port)/v?x=1"], input: Data("hi\n".utf8))
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
