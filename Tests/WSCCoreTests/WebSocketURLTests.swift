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

    @Test("spaces, quotes and non-ASCII in the path are percent-encoded for the request line")
    func encodedTarget() throws {
        let url = try WebSocketURL(parsing: "ws://h/a b/\"é\"?q=<1>")
        #expect(url.requestTarget == "/a%20b/%22%C3%A9%22?q=%3C1%3E")
        // Encoding is done once: the URL as shown reads back the same.
        #expect(try WebSocketURL(parsing: url.description).requestTarget == url.requestTarget)
    }

    @Test(
        "found by fuzzing: control characters, and combining marks fused to a delimiter, are refused",
        arguments: [
            "ws://h/a\nb", "ws://h/\tx", "ws://h/\u{0}", "\u{2DE7}\u{FFFD}", "ws:/\u{2DE7}/h/", "h\u{0600}/x",
            "ws://h/?\u{301}x", "\u{FFFD}\u{0600}",
        ]
    )
    func fuzzFindings(text: String) {
        #expect(throws: URLError.self) {
            try WebSocketURL(parsing: text)
        }
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
        arguments: [
            "", "http://h/", "ws://", "ws://h:0/", "ws://h:65536/", "ws://h:x/", "ws://::1/", "ws://[::1/",
            "ws://[zz]/", "ws://h/#frag", "ws://h h/",
        ]
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
