import Foundation
import Testing

extension EndToEnd {
    /// What the upgrade request carries, as Python `websockets` received it.
    @Suite("Request headers", .timeLimit(.minutes(1)))
    struct HeaderEndToEndTests {
        @Test("User-Agent: wsc/VERSION by default, --user-agent replaces it; -H and -o arrive as given")
        func headers() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let url = "ws://127.0.0.1:\(server.port)/"
            let version = try WSCRun.run(["--version"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
            let plain = try WSCRun.run(["-x", "!header User-Agent", "-x", "!header Origin", url])
            #expect(plain.output == "wsc/\(version)\nnone\n")
            let custom = try WSCRun.run([
                "--user-agent", "probe/2 (tests)", "-H", "X-Trace: abc 123", "-o", "https://app.example",
                "-x", "!header User-Agent", "-x", "!header X-Trace", "-x", "!header Origin", url,
            ])
            #expect(custom.status == 0, "\(custom.standardError)")
            #expect(custom.output == "probe/2 (tests)\nabc 123\nhttps://app.example\n")
        }
    }
}
