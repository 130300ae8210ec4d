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
            let client = try ClientProcess.start(["--ping-interval", "0.2", "-P", "ws://127.0.0.1:\(server.port)/"])
            client.write("hi\n")
            try client.wait(for: "the third pong", onStandardError: true) {
                $0.contains("[pong] wsc keepalive 3 (rtt ")
            }
            #expect(client.finish() == 0)
            #expect(client.standardOutput == "hi\n")
            for ping in 1...3 {
                #expect(client.standardError.contains("[pong] wsc keepalive \(ping) (rtt "))
            }
        }

        @Test("a peer that never answers: 1011 sent, the connection dropped at the ping timeout, 1006, exit 1")
        func unanswered() throws {
            let directory = try Paths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let log = directory + "/closes"
            let server = try PeerServer.silent(log: log)
            defer { server.stop() }
            // A close timeout longer than the run's hang guard: wsc must drop the connection
            // at the ping timeout, not wait for an answer to its close.
            let run = try WSCRun.run(
                [
                    "--ping-interval", "0.2", "--ping-timeout", "0.3", "--close-timeout", "1000", "-w", "-1",
                    "ws://127.0.0.1:\(server.port)/",
                ],
                timeout: 60
            )
            #expect(run.status == 1)
            #expect(run.standardError.contains("error: no pong within 0.3 s of a keepalive ping"))
            #expect(run.standardError.contains("Disconnected (code: 1006, reason: \"\", wasClean: false)"))
            // The server read wsc's close frame before the connection ended.
            #expect((try? String(contentsOfFile: log, encoding: .utf8)) == "close 1011 keepalive ping timeout\n")
        }

        @Test("--ping-timeout needs --ping-interval; both must be positive (exit 64)")
        func validation() throws {
            for arguments in [
                ["--ping-timeout", "1"], ["--ping-interval", "0"], ["--ping-interval", "1", "--ping-timeout", "-1"],
            ] {
                let run = try WSCRun.run(arguments + ["ws://127.0.0.1:1/"])
                #expect(run.status == 64, "\(arguments)")
            }
        }
    }
}
