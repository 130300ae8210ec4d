import NIOCore
import Testing
import WSCCore
import WSCTestSupport

@testable import WSCNetwork

/// `wsc --listen`'s server, against our own client, raw TCP, and TLS.
@Suite("WebSocketServer on 127.0.0.1:0", .timeLimit(.minutes(1)))
struct ServerTests {
    @Test("--echo sends every message back, same type, byte-exact, including big fragmented ones")
    func echoIsExact() async throws {
        let harness = try await ServerHarness.start { $0.echo = true }
        defer { Task { await harness.stop() } }
        let client = try ClientHarness(url: harness.url)
        var random = SystemRandomNumberGenerator()
        let big = (0..<(3 << 20)).map { _ in UInt8.random(in: 0...255, using: &random) }
        let sent: [Message] = [.text("héllo ✓"), .binary([0, 255, 10, 13]), .text(""), .binary([]), .binary(big)]
        client.client.send(contentsOf: sent)
        let echoed = await client.waitForMessages(sent.count)
        #expect(echoed == sent)
        client.client.close()
        #expect(await client.waitForClose().closeInfo?.wasClean == true)

        let events = await harness.waitForCloses(1)
        let received = events.byClient[1, default: []].compactMap { if case .message(let m) = $0 { m } else { nil } }
        #expect(received == sent)
        #expect(
            events.closes.first?.info == CloseInfo(code: .normalClosure, reason: "", wasClean: true, initiator: .peer)
        )
    }

    @Test("many clients at once: each gets an id and only its own echoes")
    func manyClients() async throws {
        let harness = try await ServerHarness.start { $0.echo = true }
        defer { Task { await harness.stop() } }
        let clients = try (0..<20).map { _ in try ClientHarness(url: harness.url + "room") }
        for (index, client) in clients.enumerated() {
            client.client.send(contentsOf: (0..<50).map { .text("client \(index) message \($0)") })
        }
        for (index, client) in clients.enumerated() {
            #expect(await client.waitForMessages(50) == (0..<50).map { .text("client \(index) message \($0)") })
            client.client.close()
            _ = await client.waitForClose()
        }
        let events = await harness.waitForCloses(20)
        #expect(Set(events.opened.map(\.0.id)) == Set(1...20))
        #expect(events.opened.allSatisfy { $0.1.url == "/room" && $0.1.remoteAddress?.hasPrefix("127.0.0.1:") == true })
        for (_, clientEvents) in events.byClient {
            #expect(clientEvents.filter { if case .message = $0 { true } else { false } }.count == 50)
            #expect(clientEvents.first.map { if case .open = $0 { true } else { false } } == true)
            #expect(clientEvents.last.map { if case .close = $0 { true } else { false } } == true)
        }
    }

    @Test("--origin: a listed Origin is accepted; another, or none, gets 403 with the reason")
    func originRestriction() async throws {
        let harness = try await ServerHarness.start {
            $0.policy = ServerHandshakePolicy(allowedOrigins: ["http://app.test"])
        }
        defer { Task { await harness.stop() } }
        let evil = try await ClientHarness(url: harness.url) { $0.origin = "http://evil.test" }.waitForClose()
        guard case .rejected(let rejection) = evil.errors.first?.kind else {
            Issue.record("expected a rejection, got \(evil)")
            return
        }
        #expect(rejection.status == 403)
        #expect(String(decoding: rejection.body, as: UTF8.self).contains("Origin 'http://evil.test' is not allowed"))
        let none = try await ClientHarness(url: harness.url).waitForClose()
        #expect(none.errors.first.map { if case .rejected(let r) = $0.kind { r.status } else { 0 } } == 403)

        let good = try ClientHarness(url: harness.url) { $0.origin = "http://app.test" }
        guard case .open = await good.waitForOpen().last else {
            Issue.record("the allowed Origin was refused")
            return
        }
        good.client.close()
        _ = await good.waitForClose()
        let events = await harness.waitForCloses(1)
        #expect(events.refusals.count == 2)
        #expect(events.refusals.allSatisfy { $0.hasPrefix("answered 403: Forbidden") })
    }

    @Test("--subprotocol: ours in our order, among those offered; none in common selects none")
    func subprotocols() async throws {
        let harness = try await ServerHarness.start { $0.policy = ServerHandshakePolicy(subprotocols: ["v2", "v1"]) }
        defer { Task { await harness.stop() } }
        for (offered, expected) in [(["v1", "v2"], "v2"), (["mqtt", "v1"], "v1"), (["mqtt"], nil)]
            as [([String], String?)]
        {
            let client = try ClientHarness(url: harness.url) { $0.subprotocols = offered }
            let events = await client.waitForOpen()
            guard case .open(let info) = events.last else {
                Issue.record("offered \(offered): \(events)")
                continue
            }
            #expect(info.subprotocol == expected)
            client.client.close()
            _ = await client.waitForClose()
        }
        let opened = await harness.waitForCloses(3).opened.map(\.1.subprotocol)
        #expect(opened == ["v2", "v1", nil])
    }

    @Test("-H headers are added to the 101 answer")
    func responseHeaders() async throws {
        let harness = try await ServerHarness.start {
            $0.responseHeaders = [HeaderField(name: "X-Served-By", value: "wsc test")]
        }
        defer { Task { await harness.stop() } }
        let client = try ClientHarness(url: harness.url) { $0.traceHandshake = true }
        let events = await client.waitForOpen()
        let traces = events.compactMap {
            if case .handshake(let trace) = $0 { trace.lines.joined(separator: "\n") } else { nil }
        }
        #expect(traces.contains { $0.contains("X-Served-By: wsc test") })
        client.client.close()
        _ = await client.waitForClose()
    }

    @Test("a client that drops TCP shows 1006 (not clean); the server goes on serving")
    func abruptDrop() async throws {
        let harness = try await ServerHarness.start { $0.echo = true }
        defer { Task { await harness.stop() } }
        let port = harness.server.port
        let answer = try await RawClient.connect(port: port).exchange(RawClient.upgradeRequest(port: port)) {
            received in
            String(decoding: received, as: UTF8.self).contains("\r\n\r\n")
        }
        #expect(String(decoding: answer, as: UTF8.self).hasPrefix("HTTP/1.1 101"))
        let events = await harness.waitForCloses(1)
        #expect(events.closes.first?.info == .abnormal(initiator: .transport))

        let next = try ClientHarness(url: harness.url)
        next.client.send(.text("still here"))
        #expect(await next.waitForMessages(1) == [.text("still here")])
        next.client.close()
        _ = await next.waitForClose()
    }

    @Test("an unmasked frame from a client is a protocol error: close 1002")
    func unmaskedFrame() async throws {
        let harness = try await ServerHarness.start()
        defer { Task { await harness.stop() } }
        let port = harness.server.port
        let unmaskedText: [UInt8] = [0x81, 0x02, 0x68, 0x69]
        let answer = try await RawClient.connect(port: port).exchange(
            RawClient.upgradeRequest(port: port) + unmaskedText
        )
        let closeFrame: [UInt8] = [0x88]
        let end = try #require(answer.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound)
        let frames = Array(answer[end...])
        #expect(frames.starts(with: closeFrame))
        #expect(frames.count >= 4 && frames[2] == 0x03 && frames[3] == 0xEA)
        let events = await harness.waitForCloses(1)
        let errors = events.byClient[1, default: []].compactMap {
            if case .error(let e) = $0 { e.message } else { nil }
        }
        #expect(errors.contains { $0.contains("unmasked frame") })
        #expect(events.closes.first?.info.wasClean == false)
    }

    @Test("the server closes one client with a code and reason; the handshake completes cleanly")
    func serverCloses() async throws {
        let harness = try await ServerHarness.start()
        defer { Task { await harness.stop() } }
        let client = try ClientHarness(url: harness.url)
        await client.waitForOpen()
        let opened = await harness.wait { !$0.opened.isEmpty }.opened
        opened[0].0.connection.close(code: CloseCode(4000), reason: "bye")
        #expect(
            await client.waitForClose().closeInfo
                == CloseInfo(code: CloseCode(4000), reason: "bye", wasClean: true, initiator: .peer)
        )
        let closes = await harness.waitForCloses(1).closes
        #expect(closes.first?.info == CloseInfo(code: CloseCode(4000), reason: "", wasClean: true, initiator: .user))
    }

    @Test("plain HTTP gets 426; a bad WebSocket version gets 400; both are reported")
    func notWebSocket() async throws {
        let harness = try await ServerHarness.start()
        defer { Task { await harness.stop() } }
        let port = harness.server.port
        let plain = try await RawClient.connect(port: port).exchange(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        #expect(String(decoding: plain, as: UTF8.self).hasPrefix("HTTP/1.1 426"))
        let badVersion =
            RawClient.upgradeRequest(port: port).dropLast(2) + Array("Sec-WebSocket-Version: 8\r\n\r\n".utf8)
        let old = try await RawClient.connect(port: port).exchange(Array(badVersion))
        #expect(String(decoding: old, as: UTF8.self).hasPrefix("HTTP/1.1 400"))
        let events = await harness.wait { $0.refusals.count >= 2 }
        #expect(events.refusals[0].hasPrefix("answered 426"))
        #expect(events.refusals[1].hasPrefix("answered 400"))
    }

    @Test("a POST upgrade, or one without Connection: Upgrade, gets 400; malformed HTTP gets 400 and is closed")
    func badRequests() async throws {
        let harness = try await ServerHarness.start()
        defer { Task { await harness.stop() } }
        let port = harness.server.port
        var post = String(decoding: RawClient.upgradeRequest(port: port), as: UTF8.self)
        post = "POST" + post.dropFirst(3)
        let postAnswer = try await RawClient.connect(port: port).exchange(Array(post.utf8))
        #expect(String(decoding: postAnswer, as: UTF8.self).hasPrefix("HTTP/1.1 400"))
        #expect(String(decoding: postAnswer, as: UTF8.self).contains("GET request, not POST"))
        let keepAlive = String(decoding: RawClient.upgradeRequest(port: port), as: UTF8.self)
            .replacingOccurrences(of: "Connection: Upgrade", with: "Connection: keep-alive")
        let keepAliveAnswer = try await RawClient.connect(port: port).exchange(Array(keepAlive.utf8))
        #expect(String(decoding: keepAliveAnswer, as: UTF8.self).contains("lacks 'Connection: Upgrade'"))
        // The server must end the connection itself: reading here ends only when it does.
        let garbage = try await RawClient.connect(port: port).exchange(Array("NOT HTTP AT ALL\r\n\r\n".utf8))
        #expect(String(decoding: garbage, as: UTF8.self).hasPrefix("HTTP/1.1 400"))
        let events = await harness.wait { $0.refusals.count >= 3 }
        #expect(events.refusals[2].hasPrefix("answered 400: malformed HTTP request"))
        #expect(events.opened.isEmpty)
    }

    @Test("an upgrade request with a body: whatever NIO does with it, an open connection has its open event")
    func upgradeWithBody() async throws {
        let harness = try await ServerHarness.start { $0.echo = true }
        defer { Task { await harness.stop() } }
        let port = harness.server.port
        let request = RawClient.upgradeRequest(port: port, headers: ["Content-Length: 1"]) + [0x78]
        let answer = try await RawClient.connect(port: port).exchange(request) { received in
            String(decoding: received, as: UTF8.self).contains("\r\n\r\n")
        }
        let upgraded = String(decoding: answer, as: UTF8.self).hasPrefix("HTTP/1.1 101")
        if upgraded {
            let events = await harness.waitForCloses(1)
            #expect(events.opened.count == 1)
        } else {
            #expect(String(decoding: answer, as: UTF8.self).hasPrefix("HTTP/1.1 4"))
        }
    }

    @Test("wss:// with a test certificate; with --ca, client certificates are required")
    func secure() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        var tls = TLSOptions()
        tls.certificateFile = certificates.serverCertificate
        tls.privateKeyFile = certificates.serverKey
        let harness = try await ServerHarness.start {
            $0.tls = tls; $0.echo = true
        }
        defer { Task { await harness.stop() } }
        #expect(harness.url.hasPrefix("wss://127.0.0.1:"))
        let client = try ClientHarness(url: harness.url) { $0.tls.caFile = certificates.caFile }
        client.client.send(.text("secret"))
        #expect(await client.waitForMessages(1) == [.text("secret")])
        client.client.close()
        _ = await client.waitForClose()
        let untrusting = try await ClientHarness(url: harness.url).waitForClose()
        #expect(untrusting.errors.first?.kind == .tls)
        let events = await harness.wait { !$0.refusals.isEmpty && $0.closes.count >= 1 }
        #expect(events.refusals.first?.contains("failed before the upgrade") == true)
        // A wss client that leaves without close_notify is a 1006 close, not an error.
        let opened = try #require(events.opened.first?.0.id)
        #expect(events.byClient[opened]?.errors.isEmpty == true)

        tls.caFile = certificates.caFile
        let mutual = try await ServerHarness.start { $0.tls = tls }
        defer { Task { await mutual.stop() } }
        let anonymous = try await ClientHarness(url: mutual.url) { $0.tls.caFile = certificates.caFile }.waitForClose()
        #expect(!anonymous.contains { if case .open = $0 { true } else { false } })
        let known = try ClientHarness(url: mutual.url) { configuration in
            configuration.tls.caFile = certificates.caFile
            configuration.tls.certificateFile = certificates.clientCertificate
            configuration.tls.privateKeyFile = certificates.clientKey
        }
        guard case .open = await known.waitForOpen().last else {
            Issue.record("a client certificate signed by --ca was refused")
            return
        }
        known.client.close()
        _ = await known.waitForClose()
    }

    @Test("a certificate that cannot be read fails start with a TLS error")
    func badCertificate() async throws {
        var tls = TLSOptions()
        tls.certificateFile = "/nonexistent/cert.pem"
        await #expect {
            try await ServerHarness.start { $0.tls = tls }
        } throws: { error in
            (error as? ConnectionError)?.kind == .tls
        }
    }
}
