import Foundation
import Testing

extension EndToEnd {
    /// `wsc --echo URL`: a client that sends every message back (the Autobahn testee contract).
    @Suite("--echo as a client", .timeLimit(.minutes(1)))
    struct EchoClientEndToEndTests {
        @Test("text and a random binary file come back to the server byte for byte; the server's close ends it (0)")
        func echoes() throws {
            let directory = try Paths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let file = directory + "/random.bin"
            let bytes = Data((0..<300_000).map { _ in UInt8.random(in: 0...255) })
            try bytes.write(to: URL(fileURLWithPath: file))
            // The server greets with a text and a file, and stops after the two echoes.
            let server = try ListenProcess.start([
                "-x", "hello echo", "--file", file, "--count", "2", "--binary-format", "base64",
            ])
            // Standard input stays open and unread: only the server's close ends the client.
            let client = try ClientProcess.start(["--echo", "--binary-format", "raw", server.url])
            let ended = try server.finish()
            #expect(ended.status == 0)
            #expect(ended.output == "hello echo\n" + bytes.base64EncodedString() + "\n")
            #expect(client.finish(timeout: 10) == 0)
            #expect(client.standardError.contains("Disconnected (code: 1001, reason: \"\", wasClean: true)"))
            #expect(client.standardOutput.hasPrefix("hello echo\n"))
        }
    }
}
