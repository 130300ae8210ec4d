import Foundation
import Testing
import WSCTestSupport

extension EndToEnd {
    /// `--proxy socks5://` and `socks5h://`, with and without RFC 1929 credentials.
    ///
    /// The proxies are one written for the tests (it logs what it was asked, and alone
    /// resolves `wsc-target.test`) and microsocks from Debian; the servers are Python
    /// `websockets` and `wsc --listen`.
    @Suite("SOCKS5 proxy", .timeLimit(.minutes(1)))
    struct SOCKSEndToEndTests {
        @Test("socks5h:// hands the name to the proxy; socks5:// resolves it here and sends the address")
        func resolution() throws {
            let directory = try Paths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let log = directory + "/requests"
            let proxy = try PeerServer.socks5Proxy(log: log)
            defer { proxy.stop() }
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }

            let remote = try WSCRun.run([
                "--proxy", "socks5h://127.0.0.1:\(proxy.port)", "-x", "via socks5h",
                "ws://wsc-target.test:\(server.port)/",
            ])
            #expect(remote.status == 0, "\(remote.standardError)")
            #expect(remote.output == "via socks5h\n")
            let local = try WSCRun.run([
                "--proxy", "socks5://127.0.0.1:\(proxy.port)", "-x", "via socks5", "ws://localhost:\(server.port)/",
            ])
            #expect(local.status == 0, "\(local.standardError)")
            #expect(local.output == "via socks5\n")
            // A name that does not resolve here fails before any tunnel (the proxy could
            // resolve it, but socks5:// does not ask it to).
            let unresolvable = try WSCRun.run([
                "--proxy", "socks5://127.0.0.1:\(proxy.port)", "-x", "x",
                "ws://\(Paths.unresolvableHost):\(server.port)/",
            ])
            #expect(unresolvable.status == 69)
            #expect(unresolvable.standardError.contains("could not resolve \(Paths.unresolvableHost)"))

            let requests = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
            #expect(requests.count == 2)
            #expect(requests.first == "domain wsc-target.test \(server.port)")
            #expect(requests.last == "ipv4 127.0.0.1 \(server.port)" || requests.last == "ipv6 ::1 \(server.port)")
        }

        @Test("username/password (RFC 1929): accepted, missing, wrong; wss:// through the tunnel; all_proxy")
        func credentials() throws {
            let proxy = try PeerServer.socks5Proxy(credentials: "alice:secret")
            defer { proxy.stop() }
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let url = "ws://wsc-target.test:\(server.port)/"

            let known = try WSCRun.run([
                "--proxy", "socks5h://alice:secret@127.0.0.1:\(proxy.port)", "-x", "known", url,
            ])
            #expect(known.status == 0, "\(known.standardError)")
            #expect(known.output == "known\n")
            let anonymous = try WSCRun.run(["--proxy", "socks5h://127.0.0.1:\(proxy.port)", "-x", "x", url])
            #expect(anonymous.status == 69)
            #expect(
                anonymous.standardError.contains(
                    "the proxy socks5h://127.0.0.1:\(proxy.port) did not open a tunnel: it requires authentication (give user:pass@ in the proxy URL)"
                )
            )
            let wrong = try WSCRun.run(["--proxy", "socks5h://alice:guess@127.0.0.1:\(proxy.port)", "-x", "x", url])
            #expect(wrong.status == 69)
            #expect(wrong.standardError.contains("it refused the user name and password"))

            let environment = ["all_proxy": "socks5h://alice:secret@127.0.0.1:\(proxy.port)"]
            let fromEnvironment = try WSCRun.run(["-x", "all_proxy", url], environment: environment)
            #expect(fromEnvironment.status == 0, "\(fromEnvironment.standardError)")
            #expect(fromEnvironment.output == "all_proxy\n")

            let certificates = try TestCertificates.make()
            defer { certificates.remove() }
            let secure = try ListenProcess.start([
                "--echo", "--cert", certificates.serverCertificate, "--key", certificates.serverKey,
            ])
            let tls = try WSCRun.run([
                "--proxy", "socks5h://alice:secret@127.0.0.1:\(proxy.port)", "--ca", certificates.caFile, "-x",
                "tls via socks", "wss://localhost:\(secure.port)/",
            ])
            #expect(tls.status == 0, "\(tls.standardError)")
            #expect(tls.output == "tls via socks\n")
            secure.send(SIGINT)
            _ = try secure.finish()
        }

        @Test("refusals exit 69 with the reply in words: ruleset, target down, proxy down")
        func refusals() throws {
            let proxy = try PeerServer.socks5Proxy()
            defer { proxy.stop() }
            let ruled = try WSCRun.run([
                "--proxy", "socks5h://127.0.0.1:\(proxy.port)", "-x", "x", "ws://refused.test/",
            ])
            #expect(ruled.status == 69)
            #expect(ruled.standardError.contains("it answered: connection not allowed by its rules"))
            let closed = try PeerServer.pythonWebSockets()
            let closedPort = closed.port
            closed.stop()
            let down = try WSCRun.run([
                "--proxy", "socks5://127.0.0.1:\(proxy.port)", "-x", "x", "ws://127.0.0.1:\(closedPort)/",
            ])
            #expect(down.status == 69)
            #expect(down.standardError.contains("it answered: connection refused by the server"))
            proxy.stop()
            let gone = try WSCRun.run([
                "--proxy", "socks5h://127.0.0.1:\(proxy.port)", "-x", "x", "ws://wsc-target.test/",
            ])
            #expect(gone.status == 69)
            #expect(
                gone.standardError.contains(
                    "could not connect to the proxy socks5h://127.0.0.1:\(proxy.port): Connection refused"
                )
            )
        }

        @Test("microsocks (Debian), an independent SOCKS5 proxy: socks5h and socks5, with credentials")
        func microsocks() throws {
            let directory = try Paths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let log = directory + "/microsocks"
            let proxy = try PeerServer.microsocks(user: "bob", password: "pw", log: log)
            defer { proxy.stop() }
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }

            let remote = try WSCRun.run([
                "--proxy", "socks5h://bob:pw@127.0.0.1:\(proxy.port)", "-x", "by name",
                "ws://localhost:\(server.port)/",
            ])
            #expect(remote.status == 0, "\(remote.standardError)")
            #expect(remote.output == "by name\n")
            let local = try WSCRun.run([
                "--proxy", "socks5://bob:pw@127.0.0.1:\(proxy.port)", "-x", "by address",
                "ws://localhost:\(server.port)/",
            ])
            #expect(local.status == 0, "\(local.standardError)")
            #expect(local.output == "by address\n")
            let wrong = try WSCRun.run([
                "--proxy", "socks5://bob:nope@127.0.0.1:\(proxy.port)", "-x", "x", "ws://localhost:\(server.port)/",
            ])
            #expect(wrong.status == 69)
            #expect(wrong.standardError.contains("it refused the user name and password"))
            proxy.stop()
            let tunnels = try String(contentsOfFile: log, encoding: .utf8)
            #expect(tunnels.contains("connected to localhost:\(server.port)"))
            #expect(
                tunnels.contains("connected to 127.0.0.1:\(server.port)")
                    || tunnels.contains("connected to ::1:\(server.port)")
            )
        }
    }
}
