import Foundation
import Testing

extension EndToEnd {
    /// Nothing is lost without a word: output that cannot be written and input that is not
    /// sent are said on standard error and show in the exit status.
    @Suite("lost output and unsent input are said and counted", .timeLimit(.minutes(3)))
    struct LostDataTests {
        /// Runs `script` with `/bin/sh -c`, `$WSC` set to the binary under test.
        private func shell(_ script: String, input: Data = Data()) throws -> WSCRun {
            try WSCRun.run(
                ["-c", script],
                input: input,
                environment: ["WSC": Paths.wsc],
                timeout: 30,
                executable: "/bin/sh"
            )
        }

        @Test("standard output on a full disk (/dev/full): the error in words, exit 74", arguments: [[], ["--ndjson"]])
        func fullDisk(extra: [String]) throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let options = extra.joined(separator: " ")
            let run = try self.shell(
                "exec \"$WSC\" \(options) -x one -x two ws://127.0.0.1:\(server.port)/ > /dev/full"
            )
            #expect(run.status == 74, "\(run.standardError)")
            #expect(run.standardError.contains("wsc: cannot write to standard output: No space left on device"))
        }

        @Test("a reader that leaves (| head -1) is still a quiet end: nothing said, wsc's own status 0")
        func readerLeaves() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let directory = try Paths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let lines = (1...5000).map { "line \($0)" }.joined(separator: "\n") + "\n"
            // -w -1: the reader leaving is what ends wsc; its status goes to a file (the
            // pipeline's is head's).
            let run = try self.shell(
                "{ \"$WSC\" -w -1 ws://127.0.0.1:\(server.port)/ 2>'\(directory)/err'; echo $? >'\(directory)/status'; } | head -1",
                input: Data(lines.utf8)
            )
            #expect(run.output == "line 1\n")
            #expect(try String(contentsOfFile: directory + "/status", encoding: .utf8) == "0\n")
            #expect(!(try String(contentsOfFile: directory + "/err", encoding: .utf8)).contains("cannot write"))
        }

        @Test("an input line over --max-message-size is not sent, said, and the exit status is 65")
        func lineTooLong() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let long = String(repeating: "x", count: 3000)
            let run = try WSCRun.run(
                ["--max-message-size", "1K", "ws://127.0.0.1:\(server.port)/"],
                input: Data("short\n\(long)\nafter\n".utf8)
            )
            #expect(run.status == 65, "\(run.standardError)")
            #expect(run.output == "short\nafter\n")
            #expect(
                run.standardError.contains("line not sent: its 3000 bytes are more than --max-message-size 1K allows")
            )
        }

        @Test("a line that never ends (-b < /dev/zero) is said to be over the limit as soon as it is")
        func endlessLine() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let run = try self.shell(
                "exec \"$WSC\" -b --max-message-size 1K --timeout 3 ws://127.0.0.1:\(server.port)/ < /dev/zero"
            )
            #expect(run.status == 124, "\(run.standardError)")
            #expect(run.standardError.contains("line being read will not be sent:"))
            #expect(run.standardError.contains("more than --max-message-size 1K allows (reading on to its end)"))
        }

        @Test("--whole input over the limit: said while it is read, not sent, exit 65")
        func wholeTooLong() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let run = try WSCRun.run(
                ["--whole", "--max-message-size", "1K", "ws://127.0.0.1:\(server.port)/"],
                input: Data(String(repeating: "y", count: 5000).utf8)
            )
            #expect(run.status == 65, "\(run.standardError)")
            #expect(run.standardError.contains("input being read will not be sent"))
            #expect(
                run.standardError.contains("input not sent: its 5000 bytes are more than --max-message-size 1K allows")
            )
        }

        @Test(
            "a message over --max-message-size: 1009 sent, the server's answer read, the close reported as 1009, clean"
        )
        func messageTooBig() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let run = try WSCRun.run(
                ["--max-message-size", "1M", "-w", "-1", "ws://127.0.0.1:\(server.port)/"],
                input: Data("before\n!flood 1 2000000\n".utf8)
            )
            #expect(run.status == 1, "\(run.standardError)")
            #expect(run.output == "before\n")
            #expect(
                run.standardError.contains(
                    "message of 2000000 bytes is over the --max-message-size limit (1048576 bytes)"
                ),
                "\(run.standardError)"
            )
            #expect(
                run.standardError.contains(
                    "Disconnected (code: 1009, reason: \"protocol error: message of 2000000 bytes"
                ),
                "\(run.standardError)"
            )
            #expect(run.standardError.contains("wasClean: true)"), "\(run.standardError)")
        }

        @Test("text and raw binary mixed in a pipe: said once on stderr; base64 and --ndjson give one line per message")
        func mixedTextAndBinary() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let url = "ws://127.0.0.1:\(server.port)/"
            let input = Data("one\n!binary 6869\ntwo\n!binary 0a\nthree\n".utf8)
            let raw = try WSCRun.run([url], input: input)
            #expect(raw.status == 0)
            #expect(raw.output == "one\nhitwo\n\nthree\n")
            let note =
                "note: binary messages are written raw, with no newline, so they run into the text lines around them"
            #expect(raw.standardError.components(separatedBy: note).count == 2, "\(raw.standardError)")
            let base64 = try WSCRun.run(["--binary-format", "base64", url], input: input)
            #expect(base64.output == "one\naGk=\ntwo\nCg==\nthree\n")
            #expect(!base64.standardError.contains("note:"))
            let ndjson = try WSCRun.run(["--ndjson", url], input: input)
            #expect(ndjson.output.split(separator: "\n").filter { $0.contains("\"event\":\"message\"") }.count == 5)
            // A binary stream alone is written as it came, without the note.
            let stream = try WSCRun.run([url], input: Data("!binary 00ff\n!binary 0a41\n".utf8))
            #expect(stream.standardOutput == Data([0x00, 0xFF, 0x0A, 0x41]))
            #expect(!stream.standardError.contains("note:"))
        }

        @Test("a file the kernel gives size 0 (/proc) is read to its end, by /file, --file and --text-file")
        func procFile() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let url = "ws://127.0.0.1:\(server.port)/"
            let piped = try WSCRun.run(["--slash", url], input: Data("/file /proc/self/status\n".utf8))
            #expect(piped.status == 0, "\(piped.standardError)")
            #expect(piped.output.hasPrefix("Name:\twsc"), "\(piped.output.prefix(80))")
            #expect(piped.output.contains("\nPid:\t"))
            for option in ["--file", "--text-file"] {
                let run = try WSCRun.run([option, "/proc/self/status", url])
                #expect(run.status == 0, "\(option): \(run.standardError)")
                #expect(run.output.hasPrefix("Name:\twsc"), "\(option): \(run.output.prefix(80))")
            }
        }

        @Test("--file <(command): a pipe is sent whole, read as it comes")
        func processSubstitution() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let run = try WSCRun.run(
                // The pause is the scenario (a pipe whose bytes come in two goes), not a wait.
                [
                    "-c",
                    "exec \"$WSC\" --file <(printf 'from a pipe'; sleep 0.3; head -c 600000 /dev/zero | tr '\\0' z) ws://127.0.0.1:\(server.port)/",
                ],
                environment: ["WSC": Paths.wsc],
                executable: "/bin/bash"
            )
            #expect(run.status == 0, "\(run.standardError)")
            #expect(run.output == "from a pipe" + String(repeating: "z", count: 600_000))
        }

        @Test("a piped line that is not UTF-8 is not sent, and the exit status is 65")
        func notUTF8() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let run = try WSCRun.run(
                ["ws://127.0.0.1:\(server.port)/"],
                input: Data([0x61, 0x0A, 0xFF, 0xFE, 0x0A, 0x62, 0x0A])
            )
            #expect(run.status == 65, "\(run.standardError)")
            #expect(run.output == "a\nb\n")
            #expect(run.standardError.contains("line not sent: it is not valid UTF-8"))
        }
    }
}
