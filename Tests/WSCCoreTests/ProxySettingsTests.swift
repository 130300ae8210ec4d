import Testing
import WSCCore

@Suite("ProxySettings")
struct ProxySettingsTests {
    @Test("proxy URLs: scheme optional, port 1080 by default, credentials kept, other schemes refused")
    func parsing() throws {
        let full = try ProxySettings(parsing: "http://user:p%40ss@proxy.test:3128")
        #expect(full.host == "proxy.test" && full.port == 3128 && full.user == "user" && full.password == "p@ss")
        #expect(full.description == "http://proxy.test:3128")
        #expect(try ProxySettings(parsing: "proxy.test").port == 1080)
        #expect(try ProxySettings(parsing: "http://[::1]:8080/").description == "http://[::1]:8080")
        #expect(try ProxySettings(parsing: "http://proxy.test:80").port == 80)
        #expect(throws: URLError.self) { try ProxySettings(parsing: "socks4://proxy.test:1080") }
        #expect(throws: URLError.self) { try ProxySettings(parsing: "ftp://proxy.test") }
    }

    @Test("SOCKS5 proxy URLs: socks5:// resolves here, socks5h:// at the proxy, port 1080 by default")
    func socks() throws {
        let local = try ProxySettings(parsing: "socks5://proxy.test")
        #expect(local.kind == .socks5 && local.port == 1080 && local.user == nil)
        #expect(local.description == "socks5://proxy.test:1080")
        let remote = try ProxySettings(parsing: "SOCKS5H://bob:s%3Acret@[::1]:9050")
        #expect(remote.kind == .socks5h && remote.host == "::1" && remote.port == 9050)
        #expect(remote.user == "bob" && remote.password == "s:cret")
        #expect(remote.description == "socks5h://[::1]:9050")
        let wss = try WebSocketURL(parsing: "wss://api.example.com/")
        #expect(try ProxySettings.fromEnvironment(["all_proxy": "socks5h://s:5"], for: wss)?.kind == .socks5h)
    }

    @Test("the environment, as curl reads it: http_proxy for ws, https_proxy for wss, all_proxy, no_proxy")
    func environment() throws {
        let ws = try WebSocketURL(parsing: "ws://api.example.com/")
        let wss = try WebSocketURL(parsing: "wss://api.example.com/")
        let env = ["http_proxy": "http://h:1", "HTTPS_PROXY": "http://s:2", "ALL_PROXY": "http://a:3"]
        #expect(try ProxySettings.fromEnvironment(env, for: ws)?.description == "http://h:1")
        #expect(try ProxySettings.fromEnvironment(env, for: wss)?.description == "http://s:2")
        #expect(
            try ProxySettings.fromEnvironment(["HTTP_PROXY": "http://h:1"], for: ws) == nil,
            "upper-case HTTP_PROXY is ignored, as curl does"
        )
        #expect(try ProxySettings.fromEnvironment(["all_proxy": "http://a:3"], for: wss)?.description == "http://a:3")
        #expect(
            try ProxySettings.fromEnvironment(env.merging(["no_proxy": "other.org, .example.com"]) { $1 }, for: ws)
                == nil
        )
        #expect(try ProxySettings.fromEnvironment(env.merging(["NO_PROXY": "*"]) { $1 }, for: wss) == nil)
        #expect(try ProxySettings.fromEnvironment(env, for: WebSocketURL(parsing: "ws+unix:///s.sock:/")) == nil)
        #expect(try ProxySettings.fromEnvironment([:], for: ws) == nil)
        for loopback in ["ws://localhost:8080/", "ws://127.0.0.2/", "ws://[::1]/", "ws://app.localhost/"] {
            #expect(try ProxySettings.fromEnvironment(env, for: WebSocketURL(parsing: loopback)) == nil, "\(loopback)")
        }
    }

    @Test("no_proxy matches names, domain suffixes and IP literals, without case")
    func noProxy() {
        #expect(ProxySettings.bypasses(host: "API.Example.com", noProxy: "example.com"))
        #expect(ProxySettings.bypasses(host: "example.com", noProxy: ".example.com"))
        #expect(!ProxySettings.bypasses(host: "badexample.com", noProxy: "example.com"))
        #expect(ProxySettings.bypasses(host: "127.0.0.1", noProxy: "localhost,127.0.0.1"))
        #expect(ProxySettings.bypasses(host: "::1", noProxy: "[::1]"))
        #expect(!ProxySettings.bypasses(host: "10.0.0.1", noProxy: ""))
    }
}
