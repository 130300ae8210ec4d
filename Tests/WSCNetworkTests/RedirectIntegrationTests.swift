import NIOConcurrencyHelpers
import Testing
import WSCCore

@testable import WSCNetwork

/// `-L` against servers that redirect the upgrade.
@Suite("Redirects of the upgrade", .timeLimit(.minutes(1)))
struct RedirectIntegrationTests {
    /// An answer that redirects to `location`.
    static func redirect(_ status: Int, to location: String) -> String {
        "HTTP/1.1 \(status) Moved\r\nLocation: \(location)\r\nContent-Length: 0\r\n\r\n"
    }

    /// A server that records each request and refuses it with 403.
    static func recorder() async throws -> (RawServer, NIOLockedValueBox<[String]>) {
        let requests = NIOLockedValueBox<[String]>([])
        let server = try await RawServer.start { request in
            requests.withLockedValue { $0.append(request) }
            return "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        }
        return (server, requests)
    }

    @Test(
        "302 to another server is followed: a redirect event, then open at the new URL; sends queued meanwhile arrive"
    )
    func followed() async throws {
        let target = try await ServerHarness.start { $0.echo = true }
        defer { Task { await target.stop() } }
        let port = target.server.port
        let redirector = try await RawServer.start { _ in Self.redirect(302, to: "http://127.0.0.1:\(port)/final") }
        defer { Task { await redirector.stop() } }
        let client = try ClientHarness(url: "ws://127.0.0.1:\(redirector.port)/start") { $0.followRedirects = true }
        client.client.send(.text("sent before any answer"))
        let messages = await client.waitForMessages(1)
        #expect(messages == [.text("sent before any answer")])
        client.client.close()
        let events = await client.waitForClose()
        #expect(events.first == .redirect(Redirection(status: 302, url: "ws://127.0.0.1:\(port)/final")))
        #expect(
            events.contains(
                .open(
                    OpenInfo(url: "ws://127.0.0.1:\(port)/final", subprotocol: nil, extensions: ["permessage-deflate"])
                )
            )
        )
        #expect(events.closeCount == 1 && events.closeInfo?.wasClean == true)
    }

    @Test("credentials go along to the same origin, not to another host or port")
    func credentials() async throws {
        let (other, otherRequests) = try await Self.recorder()
        defer { Task { await other.stop() } }
        let sameRequests = NIOLockedValueBox<[String]>([])
        let otherPort = other.port
        let same = try await RawServer.start { request in
            sameRequests.withLockedValue { $0.append(request) }
            if request.hasPrefix("GET /first ") {
                return Self.redirect(307, to: "/second")
            }
            if request.hasPrefix("GET /second ") {
                return Self.redirect(308, to: "ws://127.0.0.1:\(otherPort)/third")
            }
            return nil
        }
        defer { Task { await same.stop() } }
        let events = try await ClientHarness(url: "ws://user:secret@127.0.0.1:\(same.port)/first") { configuration in
            configuration.followRedirects = true
            configuration.headers = [
                HeaderField(name: "Cookie", value: "session=1"), HeaderField(name: "X-Trace", value: "t"),
            ]
        }.waitForClose()
        #expect(events.filter { if case .redirect = $0 { true } else { false } }.count == 2)
        let second = try #require(sameRequests.withLockedValue { $0 }.last)
        #expect(second.hasPrefix("GET /second "))
        #expect(second.contains("Authorization: Basic "))
        #expect(second.contains("Cookie: session=1"))
        let third = try #require(otherRequests.withLockedValue { $0 }.first)
        #expect(third.hasPrefix("GET /third "))
        #expect(!third.contains("Authorization"))
        #expect(!third.contains("Cookie"))
        #expect(third.contains("X-Trace: t"))
        guard case .rejected(let rejection) = events.errors.first?.kind else {
            Issue.record("expected the last server's 403")
            return
        }
        #expect(rejection.status == 403)
    }

    @Test("a redirect loop stops at --max-redirects with a rejection error (exit 76); without -L the 302 is the error")
    func loop() async throws {
        let looper = try await RawServer.start { _ in Self.redirect(302, to: "/again") }
        defer { Task { await looper.stop() } }
        let events = try await ClientHarness(url: "ws://127.0.0.1:\(looper.port)/") { configuration in
            configuration.followRedirects = true
            configuration.maximumRedirects = 3
        }.waitForClose()
        #expect(events.filter { if case .redirect = $0 { true } else { false } }.count == 3)
        let error = try #require(events.errors.first)
        #expect(error.message.hasPrefix("too many redirects: gave up after 3"))
        #expect(ExitStatus(failedWith: error) == .protocolError)
        #expect(events.closeCount == 1)

        let unfollowed = try await ClientHarness(url: "ws://127.0.0.1:\(looper.port)/").waitForClose()
        #expect(!unfollowed.contains { if case .redirect = $0 { true } else { false } })
        guard case .rejected(let rejection) = unfollowed.errors.first?.kind else {
            Issue.record("expected the 302 as a rejection")
            return
        }
        #expect(Redirect.location(of: rejection) == "/again")
    }
}
