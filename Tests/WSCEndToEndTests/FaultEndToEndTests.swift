import Foundation
import Testing
import WSCTestSupport

extension EndToEnd {
    /// Servers and networks that fail: each ends with a clear message and the documented
    /// exit status, within its time limit, without a crash.
    @Suite("faults: dead, stuck and untrustworthy servers", .timeLimit(.minutes(2)))
    struct FaultEndToEndTests {
        @Test("a server that accepts TCP but never answers the upgrade: --connect-timeout ends it (69)")
        func upgradeNeverAnswered() throws {
            let server = try PeerServer.misbehaving("mute")
            defer { server.stop() }
            let run = try WSCRun.run(
                ["--connect-timeout", "1", "-x", "hi", "ws://127.0.0.1:\(server.port)/"],
                timeout: 10
            )
            #expect(run.status == 69)
            #expect(run.standardError.hasPrefix("error: timed out after 1 s connecting to 127.0.0.1:\(server.port)\n"))
            #expect(run.output.isEmpty)
        }

        @Test(
            "--timeout or Ctrl-C while the upgrade is unanswered: 124 or 130, the close said once, the waiting message said not sent"
        )
        func givenUpWhileConnecting() throws {
            let server = try PeerServer.misbehaving("mute")
            defer { server.stop() }
            let timedOut = try WSCRun.run(
                ["--timeout", "1", "ws://127.0.0.1:\(server.port)/"],
                input: Data("hello\n".utf8),
                timeout: 10
            )
            #expect(timedOut.status == 124)
            #expect(timedOut.standardError.contains("1 message not sent"), "\(timedOut.standardError)")
            #expect(
                timedOut.standardError.components(separatedBy: "Disconnected").count == 2,
                "\(timedOut.standardError)"
            )
            // -v: the upgrade request on stderr says the message waits in the connection.
            let process = try ClientProcess.start(["-v", "-x", "hello", "ws://127.0.0.1:\(server.port)/"])
            try process.wait(for: "the upgrade request", onStandardError: true) { $0.contains("> Upgrade: websocket") }
            #expect(try process.signalled(SIGINT) == 130)
            #expect(process.standardError.contains("1 message not sent"), "\(process.standardError)")
        }

        @Test("a server that dies mid-message: 1006, wasClean false, exit 1; the half message is not shown")
        func diesMidMessage() throws {
            let server = try PeerServer.misbehaving("partial")
            defer { server.stop() }
            for arguments in [[String](), ["--ndjson"]] {
                let run = try WSCRun.run(arguments + ["-w", "-1", "ws://127.0.0.1:\(server.port)/"], timeout: 10)
                #expect(run.status == 1)
                #expect(!run.output.contains("the first half"))
                #expect(!run.standardError.contains("the first half"))
                if arguments.isEmpty {
                    #expect(run.standardError.hasSuffix("Disconnected (code: 1006, reason: \"\", wasClean: false)\n"))
                } else {
                    let events = run.output.split(separator: "\n").map(String.init)
                    #expect(events.count == 2)
                    #expect(events.last?.contains(#""event":"close","code":1006,"reason":"","wasClean":false"#) == true)
                }
            }
        }

        @Test("a server that sends its close and keeps TCP open: after --close-timeout wsc ends TCP itself; clean (0)")
        func closesButLingers() throws {
            let server = try PeerServer.misbehaving("linger")
            defer { server.stop() }
            // Both close frames went; only the server's end of TCP is missing (RFC 6455 7.1.1).
            let run = try WSCRun.run(
                ["--close-timeout", "1", "-w", "-1", "ws://127.0.0.1:\(server.port)/"],
                timeout: 10
            )
            #expect(run.status == 0)
            #expect(!run.standardError.contains("error:"))
            #expect(run.standardError.hasSuffix("Disconnected (code: 1000, reason: \"bye\", wasClean: true)\n"))
        }

        @Test("a server that never answers our close: --close-timeout ends it and says so; 1006, exit 1")
        func closeNeverAnswered() throws {
            let server = try PeerServer.silent()
            defer { server.stop() }
            let run = try WSCRun.run(
                ["--close-timeout", "1", "ws://127.0.0.1:\(server.port)/"],
                input: Data("hi\n".utf8),
                timeout: 10
            )
            #expect(run.status == 1)
            #expect(
                run.standardError.contains(
                    "error: no answer to our close within 1 s (--close-timeout): dropping the connection\n"
                )
            )
            #expect(run.standardError.hasSuffix("Disconnected (code: 1006, reason: \"\", wasClean: false)\n"))
        }

        @Test(
            "TLS: expired, self-signed, wrong host, untrusted CA, client certificate required, not TLS: 69, said in words"
        )
        func tls() throws {
            let certificates = try TestCertificates.make()
            defer { certificates.remove() }
            let ca = ["--ca", certificates.caFile]
            let cases: [(name: String, serve: [String], connect: [String], says: String)] = [
                (
                    "expired", ["--cert", certificates.expiredCertificate, "--key", certificates.expiredKey], ca,
                    #"the server's certificate "expired" expired at "#
                ),
                (
                    "self-signed", ["--cert", certificates.selfSignedCertificate, "--key", certificates.selfSignedKey],
                    [],
                    #"the server's certificate "localhost" is self-signed, not issued by a trusted CA (--ca FILE trusts its CA; -k skips verification)"#
                ),
                (
                    "wrong host", ["--cert", certificates.otherHostCertificate, "--key", certificates.otherHostKey], ca,
                    "the server's certificate is not valid for localhost (it is for other.test)"
                ),
                (
                    "untrusted CA", ["--cert", certificates.serverCertificate, "--key", certificates.serverKey], [],
                    #"the server's certificate "server" was issued by "wsc test CA", a CA not trusted here"#
                ),
                (
                    "client certificate required",
                    ["--cert", certificates.serverCertificate, "--key", certificates.serverKey] + ca, ca,
                    "the server requires a client certificate (give one with --cert and --key)"
                ),
            ]
            for (name, serve, connect, says) in cases {
                let server = try ListenProcess.start(["--echo"] + serve)
                let run = try WSCRun.run(connect + ["-x", "hi", "wss://localhost:\(server.port)/"], timeout: 10)
                #expect(run.status == 69, "\(name)")
                #expect(
                    run.standardError.hasPrefix("error: TLS handshake with localhost:\(server.port) failed: \(says)"),
                    "\(name): \(run.standardError)"
                )
                #expect(run.output.isEmpty, "\(name)")
                // The same server takes a client that trusts it (with -k where the certificate is wrong).
                let trusting =
                    name == "client certificate required"
                    ? ca + ["--cert", certificates.clientCertificate, "--key", certificates.clientKey] : ["-k"]
                let accepted = try WSCRun.run(trusting + ["-x", "hi", "wss://localhost:\(server.port)/"], timeout: 10)
                #expect(accepted.status == 0, "\(name): \(accepted.standardError)")
                #expect(accepted.output == "hi\n", "\(name)")
                server.send(SIGINT)
                _ = try server.finish()
            }
            // wss:// to a plain ws:// server.
            let plain = try ListenProcess.start(["--echo"])
            let run = try WSCRun.run(["-x", "hi", "wss://127.0.0.1:\(plain.port)/"], timeout: 10)
            #expect(run.status == 69)
            #expect(
                run.standardError.hasPrefix(
                    "error: TLS handshake with 127.0.0.1:\(plain.port) failed: the server does not speak TLS on this port (a ws:// server?)\n"
                )
            )
            plain.send(SIGINT)
            _ = try plain.finish()
        }

        @Test("a name that does not resolve, and a closed port: 69, said in words")
        func unreachable() throws {
            let name = try WSCRun.run(["-x", "hi", "ws://\(Paths.unresolvableHost):8080/"], timeout: 10)
            #expect(name.status == 69)
            #expect(
                name.standardError.hasPrefix(
                    "error: could not resolve \(Paths.unresolvableHost): Name or service not known\n"
                )
            )
            let port = try LoopbackPort.free()
            let closed = try WSCRun.run(["-x", "hi", "ws://127.0.0.1:\(port)/"], timeout: 10)
            #expect(closed.status == 69)
            #expect(
                closed.standardError.hasPrefix("error: could not connect to 127.0.0.1:\(port): Connection refused\n")
            )
        }
    }
}
