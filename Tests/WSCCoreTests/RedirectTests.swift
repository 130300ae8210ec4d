import Testing
import WSCCore

@Suite("Redirect")
struct RedirectTests {
    let base: WebSocketURL

    init() throws {
        self.base = try WebSocketURL(parsing: "wss://api.example:8443/v1/socket?token=x")
    }

    @Test(
        "Location resolves against the URL that answered; http(s) becomes ws(s)",
        arguments: [
            ("wss://other.example/a", "wss://other.example/a"),
            ("https://other.example/b", "wss://other.example/b"),
            ("https://[::1]:9000/c?d=1", "wss://[::1]:9000/c?d=1"),
            ("//cdn.example/e", "wss://cdn.example/e"),
            ("/f", "wss://api.example:8443/f"),
            ("g?h=1", "wss://api.example:8443/v1/g?h=1"),
        ]
    )
    func targets(location: String, expected: String) throws {
        #expect(try Redirect.target(of: location, from: self.base).description == expected)
    }

    @Test("from ws://, http becomes ws and https wss; from wss://, ws:// and http:// are refused (no downgrade)")
    func schemes() throws {
        let plain = try WebSocketURL(parsing: "ws://api.example/v1")
        #expect(try Redirect.target(of: "http://[::1]:9000/c?d=1", from: plain).description == "ws://[::1]:9000/c?d=1")
        #expect(try Redirect.target(of: "ws://other.example/a", from: plain).description == "ws://other.example/a")
        #expect(try Redirect.target(of: "https://other.example/b", from: plain).description == "wss://other.example/b")
        for location in ["ws://other.example/a", "http://api.example:8443/v1/socket", "HTTP://x/"] {
            #expect(throws: URLError("it leads from wss:// to ws://, which would drop TLS")) {
                try Redirect.target(of: location, from: self.base)
            }
        }
    }

    @Test("a path keeps a ws+unix:// socket; a bad Location is an error")
    func unixAndBad() throws {
        let unix = try WebSocketURL(parsing: "ws+unix:///run/s.sock:/a")
        #expect(try Redirect.target(of: "/b", from: unix).description == "ws+unix:///run/s.sock:/b")
        #expect(throws: URLError.self) { try Redirect.target(of: "ftp://x/", from: self.base) }
    }

    @Test("credentials follow only to the same scheme, host and port")
    func credentials() throws {
        #expect(Redirect.keepsCredentials(from: self.base, to: try Redirect.target(of: "/f", from: self.base)))
        #expect(Redirect.keepsCredentials(from: self.base, to: try WebSocketURL(parsing: "wss://API.example:8443/z")))
        #expect(!Redirect.keepsCredentials(from: self.base, to: try WebSocketURL(parsing: "wss://api.example:9443/z")))
        #expect(!Redirect.keepsCredentials(from: self.base, to: try WebSocketURL(parsing: "ws://api.example:8443/z")))
        #expect(!Redirect.keepsCredentials(from: self.base, to: try WebSocketURL(parsing: "wss://evil.example:8443/z")))
    }

    @Test("only 301, 302, 303, 307, 308 with a Location are redirects; the refusal shows it")
    func locations() {
        func rejection(_ status: Int, _ headers: [HeaderField]) -> UpgradeRejection {
            UpgradeRejection(
                status: status,
                statusLine: "HTTP/1.1 \(status)",
                headers: headers,
                body: [],
                bodyTruncated: false
            )
        }
        let location = [HeaderField(name: "location", value: "/next")]
        #expect(Redirect.location(of: rejection(302, location)) == "/next")
        #expect(Redirect.location(of: rejection(308, location)) == "/next")
        #expect(Redirect.location(of: rejection(304, location)) == nil)
        #expect(Redirect.location(of: rejection(302, [])) == nil)
        let text = EventFormatter.error(ConnectionError(.rejected(rejection(301, location)), "refused"))
        #expect(text == "error: refused\nLocation: /next (-L follows redirects)")
    }
}
