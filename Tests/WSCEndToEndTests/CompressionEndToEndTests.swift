import Foundation
import Testing

extension EndToEnd {
    /// permessage-deflate (RFC 7692) with Python `websockets`, as server and as client.
    @Suite("permessage-deflate with Python websockets", .timeLimit(.minutes(2)))
    struct CompressionEndToEndTests {
        /// Messages that exercise compression.
        ///
        /// Repetitive, random-looking, long, and a fragmented one the server sends.
        static let arguments = [
            "-x", "hello hello hello hello",
            "-x", String(repeating: "the same words again ", count: 2000),
            "-x", (1...3000).map(String.init).joined(separator: " "),
            "-x", "hello hello hello hello",
            "-x", "!extensions",
            "-x", "!fragments 4 5000",
        ]

        static func expectedOutput() -> String {
            let fragments = (0..<4).map { String(repeating: String($0, radix: 16), count: 5000) }.joined()
            return [
                "hello hello hello hello",
                String(repeating: "the same words again ", count: 2000),
                (1...3000).map(String.init).joined(separator: " "),
                "hello hello hello hello",
            ].joined(separator: "\n") + "\n"
                + "EXTENSIONS\n" + fragments + "\n"
        }

        @Test(
            "wsc as client: each of the server's choices of parameters, context kept or not, windows of 8 to 15 bits",
            arguments: [
                ([], "permessage-deflate"),
                (["server_no_context_takeover=1"], "permessage-deflate; server_no_context_takeover"),
                (["client_no_context_takeover=1"], "permessage-deflate; client_no_context_takeover"),
                (
                    ["server_max_window_bits=10", "client_max_window_bits=9"],
                    "permessage-deflate; server_max_window_bits=10; client_max_window_bits=9"
                ),
                (["client_max_window_bits=8"], "permessage-deflate; client_max_window_bits=8"),
            ]
        )
        func client(parameters: [String], answer: String) throws {
            let server = try PeerServer.pythonWebSockets(deflate: parameters)
            defer { server.stop() }
            let run = try WSCRun.run(Self.arguments + ["ws://127.0.0.1:\(server.port)/"])
            #expect(run.status == 0, "\(run.standardError)")
            #expect(run.output == Self.expectedOutput().replacingOccurrences(of: "EXTENSIONS", with: answer))
            #expect(run.standardError.contains("extensions: \(answer))"))
        }

        @Test("--no-compress offers nothing; a server without compression is fine too")
        func off() throws {
            let server = try PeerServer.pythonWebSockets(deflate: [])
            defer { server.stop() }
            let run = try WSCRun.run(["--no-compress"] + Self.arguments + ["ws://127.0.0.1:\(server.port)/"])
            #expect(run.status == 0, "\(run.standardError)")
            #expect(run.output == Self.expectedOutput().replacingOccurrences(of: "EXTENSIONS", with: "none"))
            #expect(run.standardError.contains("extensions: none)"))

            let plain = try PeerServer.pythonWebSockets()
            defer { plain.stop() }
            let offered = try WSCRun.run(["-x", "!extensions", "ws://127.0.0.1:\(plain.port)/"])
            #expect(offered.output == "none\n")
        }

        @Test("wsc --listen: Python clients' offers accepted and honoured; --no-compress declines")
        func server() throws {
            let server = try ListenProcess.start(["--echo"])
            let offers = [
                ([], "permessage-deflate"),
                (["server_no_context_takeover=1"], "permessage-deflate; server_no_context_takeover"),
                (["client_no_context_takeover=1"], "permessage-deflate; client_no_context_takeover"),
                (
                    ["server_max_window_bits=9", "client_max_window_bits=10"],
                    "permessage-deflate; server_max_window_bits=9"
                ),
            ]
            for (parameters, answer) in offers {
                let python = try pythonClient([server.url, "deflate"] + parameters, timeout: 60)
                #expect(python.status == 0, "\(parameters): \(python.standardError)")
                #expect(python.output == "answer: \(answer)\nok deflate 31 echoes\n", "\(parameters)")
            }
            server.send(SIGINT)
            let ended = try server.finish()
            #expect(ended.errors.contains("extensions: permessage-deflate; server_max_window_bits=9)"))

            let plain = try ListenProcess.start(["--echo", "--no-compress"])
            let declined = try pythonClient([plain.url, "deflate"], timeout: 60)
            #expect(declined.status == 0, "\(declined.standardError)")
            #expect(declined.output == "answer: none\nok deflate 31 echoes\n")
            plain.send(SIGINT)
            _ = try plain.finish()
        }
    }
}
