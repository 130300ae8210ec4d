import Foundation
import Testing

extension EndToEnd {
    /// `--ping-interval` and `--ping-timeout` against a peer that answers and one that does not.
    @Suite("keepalive pings", .timeLimit(.minutes(1)))
    struct KeepaliveEndToEndTests {
        @Test("pings go out each interval and Python websockets' pongs are shown with -P, with round trips")
        func answered() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let run = try WSCRun.run(["--ping-interval", "0.2", "-P", "-x", "hi", "-w", "1", "ws://127.0.0.1:\(server.port)/"])
            #expect(run.status == 0)
            #expect(run.output == "hi\n")
            #expect(run.standardError.contains("[pong] wsc keepalive 1 (rtt "))
            #expect(run.standardError.contains("[pong] wsc keepalive 3 (rtt "))
        }

        @Test("a peer that never answers: 1011 sent, the connection dropped at the ping timeout, 1006, exit 1")
        func unanswered() throws {
            let server = try PeerServer.silent()
            defer { server.stop() }
            let started = Date()
            let run = try WSCRun.run(["--ping-interval", "0.2", "--ping-timeout", "0.3", "-w", "-1", "ws://127.0.0.1:\(server.port)/"])
            #expect(run.status == 1)
            #expect(run.standardError.contains("error: no pong within 0.3 s of a keepalive ping"))
            #expect(run.standardError.contains("Disconnected (code: 1006, reason: \"\", wasClean: false)"))
            // Without waiting for the close timeout (5 s) an unresponsive peer would never end.
            #expect(Date().timeIntervalSince(started) < 4)
        }

        @Test("--ping-timeout needs --ping-interval; both must be positive (exit 64)")
        func validation() throws {
            for arguments in [["--ping-timeout", "1"], ["--ping-interval", "0"], ["--ping-interval", "1", "--ping-timeout", "-1"]] {
                let run = try WSCRun.run(arguments + ["ws://127.0.0.1:1/"])
                #expect(run.status == 64, "\(arguments)")
            }
        }
    }
}
