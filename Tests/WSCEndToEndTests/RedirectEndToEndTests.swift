import Foundation
import Testing

extension EndToEnd {
    /// `-L` against Python `websockets` redirecting the upgrade.
    @Suite("redirects, end to end", .timeLimit(.minutes(1)))
    struct RedirectEndToEndTests {
        @Test("-L follows a 302 and says so; without -L the refusal shows the Location, exit 76")
        func followed() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let url = "ws://127.0.0.1:\(server.port)/redirect"
            let followed = try WSCRun.run(["-L", "-x", "!path", url])
            #expect(followed.status == 0)
            #expect(followed.output == "/landed\n")
            #expect(followed.standardError.contains("Redirected (302) to ws://127.0.0.1:\(server.port)/landed"))
            #expect(followed.standardError.contains("Connected to ws://127.0.0.1:\(server.port)/landed"))

            let refused = try WSCRun.run(["-x", "!path", url])
            #expect(refused.status == 76)
            #expect(refused.standardError.contains("HTTP/1.1 302 Found"))
            #expect(refused.standardError.contains("Location: /landed (-L follows redirects)"))
        }

        @Test("a redirect loop ends after --max-redirects (exit 76); --ndjson reports each redirect")
        func loop() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let run = try WSCRun.run([
                "-L", "--max-redirects", "2", "--ndjson", "-x", "x", "ws://127.0.0.1:\(server.port)/loop",
            ])
            #expect(run.status == 76)
            let redirects = run.output.split(separator: "\n").filter {
                $0.hasPrefix(#"{"event":"redirect","status":307,"url":"ws://127.0.0.1:\#(server.port)/loop""#)
            }
            #expect(redirects.count == 2)
            #expect(run.output.contains("too many redirects: gave up after 2"))
        }
    }
}
