import NIOCore
import NIOPosix
import Testing
import WSCCore

@testable import WSCNetwork

#if canImport(Glibc)
    import Glibc
#endif

/// Errors from the system reach the user in words, with no NIO function names.
@Suite("Errors in words")
struct ErrorWordsTests {
    @Test("a system error is its message, without NIO's call and unbalanced parentheses")
    func systemErrors() {
        let reset = IOError(errnoCode: ECONNRESET, reason: "read(descriptor:pointer:size:)")
        #expect(ConnectionError.describe(reset) == "Connection reset by peer")
        let inUse = IOError(errnoCode: EADDRINUSE, reason: "bind(descriptor:ptr:bytes:)")
        #expect(ConnectionError.describe(inUse) == "Address already in use")
    }

    @Test("a failed connect names the port, also the scheme's default one")
    func defaultPort() throws {
        for (text, target) in [
            ("ws://127.0.0.1", "127.0.0.1:80"), ("wss://[::1]/x", "[::1]:443"), ("ws://h.test:8080/", "h.test:8080"),
        ] {
            let url = try WebSocketURL(parsing: text)
            let timedOut = ConnectionError(connecting: ChannelError.connectTimeout(.seconds(2)), to: url)
            #expect(timedOut.message == "timed out after 2 s connecting to \(target)")
            let refused = ConnectionError(connecting: IOError(errnoCode: ECONNREFUSED, reason: "connect"), to: url)
            #expect(refused.message == "could not connect to \(target): Connection refused")
        }
    }
}
