import Testing
import WSCCore

@Suite("SOCKS5Negotiation")
struct SOCKS5NegotiationTests {
    @Test("without credentials: greeting, no authentication chosen, CONNECT by name, success")
    func anonymous() throws {
        var negotiation = try SOCKS5Negotiation(destination: .domain("example.com"), port: 443)
        #expect(negotiation.start() == [5, 1, 0])
        let request = negotiation.received([5, 0])
        #expect(request == .send([5, 1, 0, 3, 11] + Array("example.com".utf8) + [1, 187]))
        let reply = negotiation.received([5, 0, 0, 1, 10, 0, 0, 1, 0x1F, 0x90])
        #expect(reply == .established(leftover: []))
    }

    @Test("with credentials: both methods offered, then RFC 1929 username/password")
    func credentials() throws {
        var negotiation = try SOCKS5Negotiation(
            destination: .ipv4([127, 0, 0, 1]),
            port: 8080,
            user: "bob",
            password: "pw"
        )
        #expect(negotiation.start() == [5, 2, 0, 2])
        #expect(negotiation.received([5, 2]) == .send([1, 3] + Array("bob".utf8) + [2] + Array("pw".utf8)))
        #expect(negotiation.received([1, 0]) == .send([5, 1, 0, 1, 127, 0, 0, 1, 0x1F, 0x90]))
        #expect(negotiation.received([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]) == .established(leftover: []))
    }

    @Test("with credentials the proxy may still choose no authentication")
    func credentialsNotNeeded() throws {
        var negotiation = try SOCKS5Negotiation(
            destination: .ipv4([10, 0, 0, 1]),
            port: 80,
            user: "bob",
            password: "pw"
        )
        _ = negotiation.start()
        #expect(negotiation.received([5, 0]) == .send([5, 1, 0, 1, 10, 0, 0, 1, 0, 80]))
    }

    @Test("answers arriving a byte at a time, and bytes past the reply kept for the tunnel")
    func partialAnswers() throws {
        var negotiation = try SOCKS5Negotiation(destination: .ipv6(Array(repeating: 0, count: 15) + [1]), port: 1)
        _ = negotiation.start()
        #expect(negotiation.received([5]) == .wait)
        #expect(negotiation.received([0]) == .send([5, 1, 0, 4] + Array(repeating: 0, count: 15) + [1, 0, 1]))
        // A reply with a domain-name bound address: 5 + 4 name bytes + 2 port bytes.
        let reply: [UInt8] = [5, 0, 0, 3, 4] + Array("host".utf8) + [0, 80]
        for byte in reply.dropLast() {
            #expect(negotiation.received([byte]) == .wait)
        }
        #expect(negotiation.received([reply[reply.count - 1], 0x81, 0x05]) == .established(leftover: [0x81, 0x05]))
    }

    @Test("refusals in words: authentication required, wrong password, reply codes, not SOCKS5")
    func refusals() throws {
        var anonymous = try SOCKS5Negotiation(destination: .domain("h"), port: 1)
        _ = anonymous.start()
        #expect(
            anonymous.received([5, 0xFF]) == .fail("it requires authentication (give user:pass@ in the proxy URL)")
        )

        var offered = try SOCKS5Negotiation(destination: .domain("h"), port: 1, user: "u", password: "p")
        _ = offered.start()
        #expect(offered.received([5, 0xFF]) == .fail("it accepts neither username/password nor no authentication"))

        var refused = try SOCKS5Negotiation(destination: .domain("h"), port: 1, user: "u", password: "p")
        _ = refused.start()
        _ = refused.received([5, 2])
        #expect(refused.received([1, 1]) == .fail("it refused the user name and password"))

        var unasked = try SOCKS5Negotiation(destination: .domain("h"), port: 1)
        _ = unasked.start()
        #expect(unasked.received([5, 2]) == .fail("it chose authentication method 2, which was not offered"))

        var ruled = try SOCKS5Negotiation(destination: .domain("h"), port: 1)
        _ = ruled.start()
        _ = ruled.received([5, 0])
        #expect(
            ruled.received([5, 2, 0, 1, 0, 0, 0, 0, 0, 0]) == .fail("it answered: connection not allowed by its rules")
        )

        var http = try SOCKS5Negotiation(destination: .domain("h"), port: 1)
        _ = http.start()
        #expect(
            http.received(Array("HTTP/1.1 400".utf8)) == .fail("it does not speak SOCKS5 (version 72 in its answer)")
        )
    }

    @Test("fields that cannot be encoded are refused up front")
    func limits() {
        #expect(throws: URLError.self) {
            try SOCKS5Negotiation(destination: .domain(String(repeating: "a", count: 256)), port: 1)
        }
        #expect(throws: URLError.self) {
            try SOCKS5Negotiation(destination: .domain("h"), port: 1, user: "", password: "p")
        }
        #expect(throws: URLError.self) {
            try SOCKS5Negotiation(destination: .domain("h"), port: 1, user: "u", password: "")
        }
        #expect(throws: URLError.self) { try SOCKS5Negotiation(destination: .domain("h"), port: 70000) }
    }
}
