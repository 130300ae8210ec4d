import WSCCore
import WSCTerminal

/// How a session (client or `--listen`) talks to the user and reads its input.
struct SessionOptions {
    /// A prompt at a terminal (stdin and stdout are terminals), or plain pipes.
    var interactive: Bool
    /// Whether lines starting with `/` are commands.
    var slashCommands: Bool
    /// How events are shown.
    var style: OutputStyle
    /// Messages given on the command line (`-x`, `--json`, `--file`, `--text-file`).
    ///
    /// When there are any, standard input is not read. With `--listen` every client gets them when
    /// it connects.
    var commandLineSends: [PreparedSend] = []
    /// How standard input is cut into messages.
    var inputFraming: InputFraming = .lines(separator: UInt8(ascii: "\n"))
    /// Send standard input's records as binary messages (`-b`).
    var inputIsBinary = false
    /// What to do once everything is sent (client only).
    var afterInput: AfterInput = .closeWhenIdle(.seconds(2))
    /// Stop once this many messages arrived (`--count`).
    var count: Int?
    /// Stop once received text matched these (`--expect`).
    var expectations: [String] = []
    /// The overall time limit (`--timeout`): exit 124 when it runs out.
    var timeout: Duration?
    /// Every event as a JSON line on standard output (`--ndjson`).
    var ndjson = false
    /// `--echo` as a client: the session lasts until the server closes.
    ///
    /// Standard input is not read.
    var echoesUntilClosed = false
    /// Connecting again after a connection was lost (`--reconnect`; client only).
    var reconnection: Reconnection?

    /// A message prepared from the command line.
    enum PreparedSend {
        case message(Message)
        /// A file checked to be readable, opened again when it is sent.
        case file(path: String)
    }

    /// How standard input becomes messages.
    enum InputFraming {
        /// One message per record ending with this byte.
        case lines(separator: UInt8)
        /// All of it as one message (`--whole`).
        case whole
    }

    /// What happens after the last send.
    enum AfterInput {
        /// Close once nothing was sent or received for this long (the default, 2 s).
        case closeWhenIdle(Duration)
        /// Close this long after the last send (`-w`).
        case closeAfter(Duration)
        /// Keep the connection until the server closes it (`-w -1`, `--keep-open`).
        case waitForServer
    }

    /// Standard input cut as the options say.
    func inputBatches() -> InputBatches {
        switch self.inputFraming {
        case .lines(let separator): InputLineReader.records(separator: separator)
        case .whole: InputLineReader.whole()
        }
    }

    /// A batch of input records as messages.
    ///
    /// Records that are not UTF-8 (when sent as text) are passed to `complain` and left out.
    func messages(from batch: [[UInt8]], complain: (String) -> Void) -> [Message] {
        if self.inputIsBinary {
            return batch.map { .binary($0) }
        }
        return self.lines(from: batch, complain: complain).map { .text($0) }
    }

    /// A batch of input records as text lines.
    ///
    /// Records that are not UTF-8 are passed to `complain` and left out.
    func lines(from batch: [[UInt8]], complain: (String) -> Void) -> [String] {
        var lines: [String] = []
        lines.reserveCapacity(batch.count)
        for record in batch {
            if let line = String(validating: record, as: UTF8.self) {
                lines.append(line)
            } else {
                complain("line not sent: it is not valid UTF-8")
            }
        }
        return lines
    }
}
