import Foundation
import Testing
import WSCTestSupport

extension EndToEnd {
    /// What wsc does about security without being asked: verify TLS, keep secrets out of
    /// traces and history, never drop TLS on a redirect. (Masking keys: ClientIntegrationTests;
    /// the history file's mode: REPLTests.)
    @Suite("security defaults", .timeLimit(.minutes(2)))
    struct SecurityDefaultsTests {
        @Test("TLS is verified by default (Python websockets over wss://): untrusted refused; --ca or -k to connect")
        func verifiesByDefault() throws {
            let certificates = try TestCertificates.make()
            defer { certificates.remove() }
            let server = try PeerServer.pythonWebSockets(
                certificate: certificates.serverCertificate,
                key: certificates.serverKey
            )
            defer { server.stop() }
            let url = "wss://localhost:\(server.port)/"
            let plain = try WSCRun.run(["-x", "hi", url])
            #expect(plain.status == 69)
            #expect(plain.standardError.contains("a CA not trusted here"))
            #expect(plain.output.isEmpty)
            let trusted = try WSCRun.run(["--ca", certificates.caFile, "-x", "hi", url])
            #expect(trusted.status == 0)
            #expect(trusted.output == "hi\n")
            let insecure = try WSCRun.run(["-k", "-x", "hi", url])
            #expect(insecure.status == 0)
            // wss:// to a plain Python websockets server, which hangs up on the ClientHello.
            let plainServer = try PeerServer.pythonWebSockets()
            defer { plainServer.stop() }
            let notTLS = try WSCRun.run(["-x", "hi", "wss://127.0.0.1:\(plainServer.port)/"])
            #expect(notTLS.status == 69)
            #expect(
                notTLS.standardError.hasPrefix(
                    "error: TLS handshake with 127.0.0.1:\(plainServer.port) failed: the server closed the connection during the TLS handshake (a ws:// server on this port?)\n"
                )
            )
        }

        @Test("-L never follows a redirect from wss:// to ws://; one that stays on wss:// is followed")
        func noDowngrade() throws {
            let certificates = try TestCertificates.make()
            defer { certificates.remove() }
            let server = try PeerServer.pythonWebSockets(
                certificate: certificates.serverCertificate,
                key: certificates.serverKey
            )
            defer { server.stop() }
            let base = "wss://localhost:\(server.port)"
            let downgrade = try WSCRun.run(["-L", "--ca", certificates.caFile, "-x", "secret", base + "/downgrade"])
            #expect(downgrade.status == 76)
            #expect(
                downgrade.standardError.contains(
                    "error: cannot follow the redirect to 'ws://localhost:\(server.port)/landed': it leads from wss:// to ws://, which would drop TLS"
                )
            )
            #expect(downgrade.output.isEmpty)
            let secure = try WSCRun.run(["-L", "--ca", certificates.caFile, "-x", "!path", base + "/redirect"])
            #expect(secure.status == 0)
            #expect(secure.output == "/landed\n")
        }

        @Test("-v redacts Authorization, Proxy-Authorization and cookies, from --auth, the URL and -H")
        func redactedTrace() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let run = try WSCRun.run([
                "-v", "-H", "Authorization: Bearer s3cr3t-token", "-H", "Proxy-Authorization: Basic cHJveHk6cGFzcw==",
                "-H", "Cookie: session=abcdef", "-x", "hi", "ws://alice:pa55word@127.0.0.1:\(server.port)/",
            ])
            #expect(run.status == 0)
            #expect(run.standardError.contains("> Authorization: Bearer <redacted>"))
            #expect(run.standardError.contains("> Proxy-Authorization: Basic <redacted>"))
            #expect(run.standardError.contains("> Cookie: <redacted>"))
            for secret in ["s3cr3t-token", "cHJveHk6cGFzcw==", "abcdef", "pa55word", "YWxpY2U6cGE1NXdvcmQ="] {
                #expect(!run.standardError.contains(secret), "\(secret)")
            }
        }

        @Test("credentials given with --auth, -H or the URL never reach the history file; only typed lines do")
        func historyKeepsNoSecrets() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let state = try Paths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: state) }
            let terminal = try Tmux(
                "'\(Paths.wsc)' --auth bob:hunter2 -H 'Authorization: Bearer s3cr3t-token' ws://carol:pa55word@127.0.0.1:\(server.port)/",
                environment: ["XDG_STATE_HOME": state]
            )
            try terminal.waitFor("Connected")
            try terminal.type("typed-line")
            try terminal.press("Enter")
            try terminal.waitFor("< typed-line")
            try terminal.press("C-d")
            #expect(try terminal.waitForExit().status == 0)
            let history = try String(contentsOfFile: state + "/wsc/history", encoding: .utf8)
            #expect(history.contains("typed-line"))
            for secret in ["hunter2", "s3cr3t-token", "pa55word", "Authorization"] {
                #expect(!history.contains(secret), "\(secret)")
            }
            let mode =
                try FileManager.default.attributesOfItem(atPath: state + "/wsc/history")[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
    }
}
