import Foundation
import Testing
import WSCTestSupport

extension EndToEnd {
    /// `--proxy` and the proxy environment variables.
    ///
    /// The proxy is a CONNECT proxy written for the tests; the servers are Python
    /// `websockets` and `wsc --listen`.
    @Suite("HTTP CONNECT proxy", .timeLimit(.minutes(1)))
    struct ProxyEndToEndTests {
        @Test("--proxy tunnels ws:// (a name only the proxy resolves) and wss://")
        func tunnels() throws {
            let proxy = try PeerServer.connectProxy()
            defer { proxy.stop() }
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let run = try WSCRun.run([
                "--proxy", "http://127.0.0.1:\(proxy.port)", "-x", "via proxy",
                "ws://\(Paths.unresolvableHost):\(server.port)/",
            ])
            #expect(run.status == 0, "\(run.standardError)")
            #expect(run.output == "via proxy\n")
            let direct = try WSCRun.run(["-x", "direct", "ws://\(Paths.unresolvableHost):\(server.port)/"])
            #expect(direct.status == 69)

            let certificates = try TestCertificates.make()
            defer { certificates.remove() }
            let secure = try ListenProcess.start([
                "--echo", "--cert", certificates.serverCertificate, "--key", certificates.serverKey,
            ])
            let tls = try WSCRun.run([
                "--proxy", "127.0.0.1:\(proxy.port)", "--ca", certificates.caFile, "-x", "tls via proxy",
                "wss://localhost:\(secure.port)/",
            ])
            #expect(tls.status == 0, "\(tls.standardError)")
            #expect(tls.output == "tls via proxy\n")
            secure.send(SIGINT)
            _ = try secure.finish()
        }

        @Test("the environment as curl reads it: http_proxy, no_proxy, and --no-proxy")
        func environment() throws {
            let proxy = try PeerServer.connectProxy()
            defer { proxy.stop() }
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let url = "ws://\(Paths.unresolvableHost):\(server.port)/"
            let proxied = try WSCRun.run(
                ["-x", "env", url],
                environment: ["http_proxy": "http://127.0.0.1:\(proxy.port)"]
            )
            #expect(proxied.output == "env\n")
            let bypassed = try WSCRun.run(
                ["-x", "env", url],
                environment: ["http_proxy": "http://127.0.0.1:\(proxy.port)", "no_proxy": ".test"]
            )
            #expect(bypassed.status == 69)
            let ignored = try WSCRun.run(
                ["--no-proxy", "-x", "env", url],
                environment: ["http_proxy": "http://127.0.0.1:\(proxy.port)"]
            )
            #expect(ignored.status == 69)
        }

        @Test("a proxy's refusal is shown with its status and exits 69: 407 without credentials, 403, proxy down")
        func refusals() throws {
            let proxy = try PeerServer.connectProxy(credentials: "alice:secret")
            defer { proxy.stop() }
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let url = "ws://\(Paths.unresolvableHost):\(server.port)/"
            let anonymous = try WSCRun.run(["--proxy", "http://127.0.0.1:\(proxy.port)", "-x", "x", url])
            #expect(anonymous.status == 69)
            #expect(
                anonymous.standardError.contains(
                    "did not open a tunnel: it asks for credentials (HTTP/1.1 407 Proxy Authentication Required; give user:pass@ in the proxy URL)"
                )
            )
            let known = try WSCRun.run(["--proxy", "http://alice:secret@127.0.0.1:\(proxy.port)", "-x", "x", url])
            #expect(known.status == 0)
            #expect(known.output == "x\n")
            let forbidden = try WSCRun.run([
                "--proxy", "http://alice:secret@127.0.0.1:\(proxy.port)", "-x", "x", "ws://forbidden.test/",
            ])
            #expect(forbidden.status == 69)
            #expect(forbidden.standardError.contains("it answered HTTP/1.1 403 Forbidden"))
            proxy.stop()
            let down = try WSCRun.run(["--proxy", "http://127.0.0.1:\(proxy.port)", "-x", "x", url])
            #expect(down.status == 69)
            #expect(
                down.standardError.contains(
                    "could not connect to the proxy http://127.0.0.1:\(proxy.port): Connection refused"
                )
            )
        }
    }
}
