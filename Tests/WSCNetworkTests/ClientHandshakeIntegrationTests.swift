import NIOCore
import NIOHTTP1
import NIOWebSocket
import Testing
import WSCCore

@testable import WSCNetwork

/// The client's handshake against a real NIO server on 127.0.0.1:0: what it asks for, and
/// what it refuses in the answer.
@Suite("Client handshakes against a NIO server", .timeLimit(.minutes(1)))
struct ClientHandshakeIntegrationTests {
    @Test("a refused upgrade reports status line and body")
    func refused() async throws {
        let server = try await ScriptedServer.start(upgrade: .refuse(.forbidden, "go away: no token\n"))
        defer { Task { await server.stop() } }
        let harness = try ClientHarness(url: "ws://127.0.0.1:\(server.port)/")
        let events = await harness.waitForClose()
        let error = try #require(events.errors.first)
        guard case .rejected(let rejection) = error.kind else {
            Issue.record("expected a rejection, got \(error)")
            return
        }
        #expect(rejection.status == 403)
        #expect(rejection.statusLine == "HTTP/1.1 403 Forbidden")
        #expect(rejection.body == Array("go away: no token\n".utf8))
        #expect(ExitStatus(failedWith: error) == .protocolError)
        #expect(events.closeInfo?.code == .abnormalClosure)
    }

    @Test("a big refusal body is cut at 4 KiB")
    func refusedBigBody() async throws {
        let server = try await ScriptedServer.start(
            upgrade: .refuse(.unauthorized, String(repeating: "x", count: 10_000))
        )
        defer { Task { await server.stop() } }
        let harness = try ClientHarness(url: "ws://127.0.0.1:\(server.port)/")
        let error = try #require(await harness.waitForClose().errors.first)
        guard case .rejected(let rejection) = error.kind else {
            Issue.record("expected a rejection")
            return
        }
        #expect(rejection.body.count == 4096 && rejection.bodyTruncated)
    }

    @Test("subprotocols: offered ones are sent, the chosen one reported, an unoffered one refused")
    func subprotocols() async throws {
        let server = try await ScriptedServer.start(upgrade: .accept(HTTPHeaders([("Sec-WebSocket-Protocol", "v2")])))
        defer { Task { await server.stop() } }
        let good = try ClientHarness(url: "ws://127.0.0.1:\(server.port)/") { $0.subprotocols = ["v1", "v2"] }
        let opened = await good.waitForOpen()
        guard case .open(let info) = opened.last else {
            Issue.record("expected open, got \(opened)")
            return
        }
        #expect(info.subprotocol == "v2")
        #expect(server.requests.withLockedValue { $0.first?.headers["Sec-WebSocket-Protocol"] } == ["v1, v2"])
        good.client.close()
        _ = await good.waitForClose()

        let bad = try ClientHarness(url: "ws://127.0.0.1:\(server.port)/") { $0.subprotocols = ["v1"] }
        let events = await bad.waitForClose()
        #expect(events.errors.first?.kind == .handshake)
        #expect(events.errors.first?.message.contains("'v2'") == true)
    }

    @Test("an extension we did not offer is refused: an unknown one, or permessage-deflate with --no-compress")
    func unofferedExtension() async throws {
        let unknown = try await ScriptedServer.start(
            upgrade: .accept(HTTPHeaders([("Sec-WebSocket-Extensions", "x-webkit-deflate-frame")]))
        )
        defer { Task { await unknown.stop() } }
        let events = try await ClientHarness(url: "ws://127.0.0.1:\(unknown.port)/").waitForClose()
        #expect(events.errors.first?.kind == .handshake)
        #expect(events.errors.first?.message.contains("'x-webkit-deflate-frame', which was not offered") == true)

        let deflate = try await ScriptedServer.start(
            upgrade: .accept(HTTPHeaders([("Sec-WebSocket-Extensions", "permessage-deflate")]))
        )
        defer { Task { await deflate.stop() } }
        let declined = try await ClientHarness(url: "ws://127.0.0.1:\(deflate.port)/") { $0.compression = false }
            .waitForClose()
        #expect(declined.errors.first?.kind == .handshake)
    }

    @Test("a wrong Sec-WebSocket-Accept is refused")
    func badAccept() async throws {
        let server = try await RawServer.start { _ in
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: bm90IHRoZSByaWdodCBrZXk=\r\n\r\n"
        }
        defer { Task { await server.stop() } }
        let events = try await ClientHarness(url: "ws://127.0.0.1:\(server.port)/").waitForClose()
        let error = try #require(events.errors.first)
        #expect(error.kind == .handshake)
        #expect(error.message.contains("Sec-WebSocket-Accept"))
    }

    @Test("headers: Host with port, Origin, Basic auth, -H, Host override")
    func headers() async throws {
        let server = try await ScriptedServer.start()
        defer { Task { await server.stop() } }
        let harness = try ClientHarness(url: "ws://al:secret@127.0.0.1:\(server.port)/") { configuration in
            configuration.origin = "https://example.test"
            configuration.headers = [
                HeaderField(name: "X-Token", value: "t1"), HeaderField(name: "User-Agent", value: "mine"),
            ]
        }
        await harness.waitForOpen()
        harness.client.close()
        _ = await harness.waitForClose()
        let head = try #require(server.requests.withLockedValue { $0.first })
        #expect(head.headers["Origin"] == ["https://example.test"])
        #expect(head.headers["Authorization"] == ["Basic " + Base64.encode(Array("al:secret".utf8))])
        #expect(head.headers["X-Token"] == ["t1"])
        #expect(head.headers["User-Agent"] == ["mine"])

        let other = try ClientHarness(url: "ws://127.0.0.1:\(server.port)/") { $0.hostOverride = "example.test" }
        await other.waitForOpen()
        other.client.close()
        _ = await other.waitForClose()
        #expect(server.requests.withLockedValue { $0.last?.headers["Host"] } == ["example.test"])
    }

    @Test("connection refused is a connect error")
    func refusedConnection() async throws {
        let server = try await ScriptedServer.start()
        let port = server.port
        await server.stop()
        let events = try await ClientHarness(url: "ws://127.0.0.1:\(port)/").waitForClose()
        let error = try #require(events.errors.first)
        #expect(error.kind == .connect)
        #expect(error.message.contains("refused"))
        #expect(ExitStatus(failedWith: error) == .unavailable)
        #expect(events.closeInfo == .abnormal(initiator: .transport))
    }

    @Test("a server that never answers the upgrade times out")
    func upgradeTimeout() async throws {
        let server = try await RawServer.start { _ in nil }
        defer { Task { await server.stop() } }
        let events = try await ClientHarness(url: "ws://127.0.0.1:\(server.port)/") {
            $0.connectTimeout = .milliseconds(300)
        }.waitForClose()
        let error = try #require(events.errors.first)
        #expect(error.kind == .connect)
        #expect(error.message.contains("timed out"))
    }
}
