import ArgumentParser

/// Options for pipes and scripts: what to send, how to read standard input, when to stop.
struct ScriptOptions: ParsableArguments {
    @Option(
        name: [.customShort("x"), .customLong("execute")],
        help: ArgumentHelp("Send this text once connected (repeatable, in order), then close.", valueName: "text")
    )
    var execute: [String] = []

    @Option(
        help: ArgumentHelp("Send this JSON (checked, sent compact) once connected (repeatable).", valueName: "json")
    )
    var json: [String] = []

    @Option(help: ArgumentHelp("Send this file as one binary message (repeatable).", valueName: "path"))
    var file: [String] = []

    @Option(help: ArgumentHelp("Send this UTF-8 file as one text message (repeatable).", valueName: "path"))
    var textFile: [String] = []

    @Flag(name: [.customShort("b"), .long], help: "Send each line of standard input as a binary message.")
    var binary = false

    @Flag(
        name: [.customShort("0"), .customLong("null")],
        help: "Split standard input on NUL bytes instead of newlines."
    )
    var null = false

    @Flag(help: "Send all of standard input as one message.")
    var whole = false

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Send standard input as binary messages of this many bytes (the last may be shorter), not split at lines; K, M suffixes allowed.",
            valueName: "bytes"
        )
    )
    var chunkSize: String?

    @Option(
        name: [.customShort("w"), .long],
        parsing: .unconditional,
        help: ArgumentHelp(
            "After the last send, wait this long for replies before closing (-1: until the server closes).",
            valueName: "seconds"
        )
    )
    var wait: Double?

    @Flag(help: "After the end of input, keep the connection open until the server closes it.")
    var keepOpen = false

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Exit after this many messages have been received.", valueName: "n")
    )
    var count: Int?

    @Option(
        help: ArgumentHelp(
            "Exit 0 once received text has matched each pattern, in order (repeatable).",
            valueName: "regex"
        )
    )
    var expect: [String] = []

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Give up after this long in all: exit 124.", valueName: "seconds")
    )
    var timeout: Double?

    @Flag(help: "Write every event as one JSON object per line on standard output.")
    var ndjson = false

    func validate() throws {
        try Seconds.check(
            self.wait,
            option: "--wait",
            exceptions: [(0, "to close at once"), (-1, "to wait for the server to close")]
        )
        if let count, count < 1 {
            throw ValidationError("--count takes a positive number")
        }
        try Seconds.check(self.timeout, option: "--timeout")
        if self.whole, self.null {
            throw ValidationError("--whole and --null do not go together")
        }
        if let chunkSize {
            guard let size = try? HandshakeOptions.parseSize(chunkSize), size > 0 else {
                throw ValidationError("--chunk-size takes a positive size in bytes (K, M, G suffixes allowed)")
            }
            if self.whole || self.null {
                throw ValidationError("--chunk-size does not go with --whole or --null")
            }
            _ = size
        }
        for pattern in self.expect {
            do {
                _ = try Regex(pattern)
            } catch {
                throw ValidationError("--expect '\(pattern)' is not a valid regular expression")
            }
        }
    }

    /// Whether messages to send were given on the command line (then standard input is not read).
    var hasCommandLineSends: Bool {
        !self.execute.isEmpty || !self.json.isEmpty || !self.file.isEmpty || !self.textFile.isEmpty
    }
}
