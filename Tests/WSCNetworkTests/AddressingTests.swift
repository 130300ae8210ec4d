import Testing
import WSCCore

@testable import WSCNetwork

/// `--bind`, `-4` and `-6`, seen from our own server, which reports where clients come from.
@Suite("--bind, -4, -6", .timeLimit(.minutes(1)))
struct AddressingTests {
    /// Opens a client with `configure`, then closes it; returns its events.
    func open(
        _ url: String,
        _ configure: @escaping (inout ClientConfiguration) -> Void
    ) async throws -> [ConnectionEvent] {
        let client = try ClientHarness(url: url, configure: configure)
        let events = await client.waitForOpen()
        client.client.close()
        _ = await client.waitForClose()
        return events
    }

    @Test("--bind 127.0.0.2: the server sees the client coming from that address")
    func bindAddress() async throws {
        let harness = try await ServerHarness.start()
        defer { Task { await harness.stop() } }
        let events = try await self.open(harness.url) { $0.localAddress = "127.0.0.2" }
        guard case .open = events.last else {
            Issue.record("not opened: \(events)")
            return
        }
        let opened = await harness.wait { !$0.opened.isEmpty }.opened
        #expect(opened.first?.1.remoteAddress?.hasPrefix("127.0.0.2:") == true)
    }

    @Test("-4 connects to a name over IPv4; -6 over IPv6 to ::1; a literal of the other family is refused")
    func families() async throws {
        let v4 = try await ServerHarness.start()
        defer { Task { await v4.stop() } }
        let overIPv4 = try await self.open("ws://localhost:\(v4.server.port)/") { $0.addressFamily = .ipv4 }
        #expect(overIPv4.last.map { if case .open = $0 { true } else { false } } == true)

        let v6 = try await ServerHarness.start { $0.host = "::1" }
        defer { Task { await v6.stop() } }
        let overIPv6 = try await self.open("ws://[::1]:\(v6.server.port)/") { $0.addressFamily = .ipv6 }
        #expect(overIPv6.last.map { if case .open = $0 { true } else { false } } == true)
        let opened = await v6.wait { !$0.opened.isEmpty }.opened
        #expect(opened.first?.1.remoteAddress?.hasPrefix("[::1]:") == true)

        let mismatch = try await ClientHarness(url: "ws://[::1]:\(v6.server.port)/") { $0.addressFamily = .ipv4 }
            .waitForClose()
        #expect(mismatch.errors.first == ConnectionError(.connect, "::1 is not an IPv4 address"))
        // localhost over IPv6: either no IPv6 address for it here, or nothing listening there.
        let noIPv6 = try await ClientHarness(url: "ws://localhost:\(v4.server.port)/") { $0.addressFamily = .ipv6 }
            .waitForClose()
        #expect(noIPv6.errors.first?.kind == .connect)
        #expect(ExitStatus(failedWith: try #require(noIPv6.errors.first)) == .unavailable)
    }
}

/// Unix domain sockets: our client and our server over one, and a path with nothing there.
@Suite("Unix domain sockets", .timeLimit(.minutes(1)))
struct UnixSocketTests {
    @Test("a client connects through the socket; Host and path come from the URL")
    func throughTheSocket() async throws {
        let path = "/tmp/wsc-test-\(UInt32.random(in: 0...UInt32.max)).sock"
        let harness = try await ServerHarness.start {
            $0.unixSocketPath = path; $0.echo = true
        }
        defer { Task { await harness.stop() } }
        #expect(harness.url == "ws+unix://\(path):/")
        let client = try ClientHarness(url: "ws+unix://\(path):/chat")
        client.client.send(.text("over a Unix socket"))
        #expect(await client.waitForMessages(1) == [.text("over a Unix socket")])
        client.client.close()
        _ = await client.waitForClose()
        let opened = await harness.wait { !$0.opened.isEmpty }.opened
        #expect(opened.first?.1.url == "/chat")
        #expect(opened.first?.1.remoteAddress == "a Unix socket")
    }

    @Test("no socket at the path: a connect error that names it (exit 69)")
    func missingSocket() async throws {
        let events = try await ClientHarness(url: "ws://localhost/") { $0.unixSocketPath = "/nonexistent/wsc.sock" }
            .waitForClose()
        let error = try #require(events.errors.first)
        #expect(error.kind == .connect)
        #expect(
            error.message == "could not connect to the Unix socket '/nonexistent/wsc.sock': No such file or directory"
        )
    }
}
