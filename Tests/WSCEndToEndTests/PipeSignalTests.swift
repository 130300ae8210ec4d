import Foundation
import Testing

extension EndToEnd {
    /// Signals in pipe mode: a close frame first, then the signal's exit status.
    @Suite("Signals in pipes", .timeLimit(.minutes(1)))
    struct PipeSignalTests {
        /// Sends `signal` once wsc has said it is connected; returns its exit status and stderr.
        func runAndSignal(_ signal: Int32) throws -> (status: Int32, standardError: String) {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let client = try ClientProcess.start(["--keep-open", "ws://127.0.0.1:\(server.port)/"])
            try client.wait(for: "the open event", onStandardError: true) { $0.contains("Connected to") }
            let status = try client.signalled(signal)
            return (status, client.standardError)
        }

        @Test("SIGINT: close with 1000, exit 130")
        func interrupt() throws {
            let result = try self.runAndSignal(SIGINT)
            #expect(result.status == 130)
            #expect(result.standardError.contains("Disconnected (code: 1000, reason: \"\", wasClean: true)"))
        }

        @Test("SIGTERM: close with 1001, exit 143")
        func terminate() throws {
            let result = try self.runAndSignal(SIGTERM)
            #expect(result.status == 143)
            #expect(result.standardError.contains("Disconnected (code: 1001, reason: \"\", wasClean: true)"))
        }
    }
}
