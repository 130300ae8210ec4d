import Testing
import WSCCore

@Suite("WebSocketURL")
struct WebSocketURLTests {
    @Test("schemes, default ports, Host header")
    func basics() throws {
        let plain = try WebSocketURL(parsing: "ws://example.com/chat")
        #expect(!plain.isSecure && plain.host == "example.com" && plain.port == 80)
        #expect(plain.requestTarget == "/chat" && plain.hostHeader == "example.com")
        let secure = try WebSocketURL(parsing: "WSS://example.com:8443")
        #expect(secure.isSecure && secure.port == 8443 && secure.requestTarget == "/")
        #expect(secure.hostHeader == "example.com:8443")
        #expect(try WebSocketURL(parsing: "wss://h:443/").hostHeader == "h")
    }

    @Test("no scheme means ws://")
    func noScheme() throws {
        let url = try WebSocketURL(parsing: "localhost:8080/x")
        #expect(!url.isSecure && url.host == "localhost" && url.port == 8080 && url.requestTarget == "/x")
        #expect(url.description == "ws://localhost:8080/x")
    }

    @Test("paths and queries are kept exactly")
    func pathAndQuery() throws {
        let url = try WebSocketURL(parsing: "ws://h/a%20b/c;p?x=1&y=%2F&&z#")
        #expect(url.requestTarget == "/a%20b/c;p?x=1&y=%2F&&z")
        #expect(try WebSocketURL(parsing: "ws://h?q=1").requestTarget == "/?q=1")
    }

    @Test("IPv6 and IPv4 literals")
    func literals() throws {
        let v6 = try WebSocketURL(parsing: "ws://[::1]:8080/")
        #expect(v6.host == "::1" && v6.port == 8080 && v6.hostIsIPAddress)
        #expect(v6.hostHeader == "[::1]:8080")
        #expect(v6.description == "ws://[::1]:8080/")
        #expect(try WebSocketURL(parsing: "wss://[2001:db8::1]/").hostHeader == "[2001:db8::1]")
        #expect(try WebSocketURL(parsing: "ws://127.0.0.1:9/").hostIsIPAddress)
        #expect(try !WebSocketURL(parsing: "ws://localhost/").hostIsIPAddress)
        #expect(try !WebSocketURL(parsing: "ws://1.2.3/").hostIsIPAddress)
    }

    @Test("credentials are taken out of the URL and decoded")
    func credentials() throws {
        let url = try WebSocketURL(parsing: "ws://al%40ice:p%3Ass@h:1/")
        #expect(url.user == "al@ice" && url.password == "p:ss")
        #expect(url.description == "ws://h:1/")
    }

    @Test(
        "bad URLs are refused",
        arguments: ["", "http://h/", "ws://", "ws://h:0/", "ws://h:65536/", "ws://h:x/", "ws://::1/", "ws://[::1/", "ws://[zz]/", "ws://h/#frag", "ws://h h/"]
    )
    func bad(text: String) {
        #expect(throws: URLError.self) {
            try WebSocketURL(parsing: text)
        }
    }

    @Test("ws+unix:// names a socket, then the request target; the host is localhost")
    func unixSocketURLs() throws {
        let url = try WebSocketURL(parsing: "ws+unix:///run/app.sock:/chat?room=1")
        #expect(url.unixSocketPath == "/run/app.sock")
        #expect(url.requestTarget == "/chat?room=1")
        #expect(url.hostHeader == "localhost")
        #expect(url.description == "ws+unix:///run/app.sock:/chat?room=1")
        #expect(try WebSocketURL(parsing: "ws+unix:///tmp/s.sock").requestTarget == "/")
        #expect(try WebSocketURL(parsing: "ws://h/").unixSocketPath == nil)
        #expect(throws: URLError.self) { try WebSocketURL(parsing: "ws+unix://relative.sock:/") }
    }
}
