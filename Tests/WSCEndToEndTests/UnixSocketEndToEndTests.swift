import Foundation
import Testing

extension EndToEnd {
    /// `--unix-socket`, `ws+unix://` and `wsc --listen unix:PATH`.
    ///
    /// The peers are Python `websockets` on a Unix socket, and `wsc` itself.
    @Suite("Unix domain sockets, end to end", .timeLimit(.minutes(1)))
    struct UnixSocketEndToEndTests {
        @Test("--unix-socket and ws+unix:// reach Python websockets, with the URL's path")
        func python() throws {
            let directory = try Paths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let path = directory + "/peer.sock"
            let server = try PeerServer.pythonWebSockets(unixSocket: path)
            defer { server.stop() }
            let viaOption = try WSCRun.run(["--unix-socket", path, "-x", "!path", "ws://localhost/chat?x=1"])
            #expect(viaOption.status == 0)
            #expect(viaOption.output == "/chat?x=1\n")
            let viaURL = try WSCRun.run(["ws+unix://\(path):/room"], input: Data("!path\nhello\n".utf8))
            #expect(viaURL.status == 0)
            #expect(viaURL.output == "/room\nhello\n")
            #expect(viaURL.standardError.contains("Connected to ws+unix://\(path):/room"))
        }

        @Test("wsc --listen unix:PATH serves wsc clients; a wrong path exits 69 and says why")
        func ownServer() throws {
            let directory = try Paths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let path = directory + "/wsc.sock"
            let server = try ListenProcess.start(["--echo"], listen: "unix:" + path)
            let run = try WSCRun.run(["-x", "hi", "ws+unix://\(path):/"])
            #expect(run.output == "hi\n")
            server.send(SIGINT)
            let finished = try server.finish()
            #expect(finished.errors.hasPrefix("Listening on ws+unix://\(path):/"))
            #expect(finished.errors.contains("[#1] Client connected from a Unix socket (path: /"))

            let missing = try WSCRun.run(["-x", "hi", "ws+unix://\(directory)/none.sock:/"])
            #expect(missing.status == 69)
            #expect(
                missing.standardError.contains(
                    "could not connect to the Unix socket '\(directory)/none.sock': No such file or directory"
                )
            )
        }
    }
}
