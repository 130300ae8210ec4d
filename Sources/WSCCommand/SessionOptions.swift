import NIOCore
import WSCCore
import WSCInput
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
    /// The longest record of standard input that is sent (`--max-message-size`).
    var inputLimit = Int.max
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
    enum InputFraming: Equatable {
        /// One message per record ending with this byte.
        case lines(separator: UInt8)
        /// All of it as one message (`--whole`).
        case whole
        /// Messages of this many bytes, cut wherever they fall (`--chunk-size`).
        case chunks(size: Int)
    }

    /// `--count` and `--expect` together; nil when neither is given (the patterns were
    /// checked when the options were validated).
    func receiveLimit() -> ReceiveLimit? {
        let expectations = self.expectations.isEmpty ? nil : try? ExpectationTracker(patterns: self.expectations)
        return ReceiveLimit(count: self.count, expectations: expectations)
    }

    /// Standard input cut as the options say.
    func inputBatches() -> InputBatches {
        switch self.inputFraming {
        case .lines(let separator): InputLineReader.records(separator: separator, limit: self.inputLimit)
        case .whole: InputLineReader.whole(limit: self.inputLimit)
        case .chunks(let size): InputLineReader.chunks(of: size)
        }
    }

    /// A batch of input records as messages.
    ///
    /// Records that are not UTF-8 (when sent as text), or too long, are passed to
    /// `complain` and left out.
    func messages(from batch: [InputRecord], complain: (String) -> Void) -> [Message] {
        let records = self.records(from: batch, complain: complain)
        if self.inputIsBinary {
            return records.map { Message(kind: .binary, payload: $0) }
        }
        // Each payload is the record's own buffer, made where it was read: no string between.
        var messages: [Message] = []
        messages.reserveCapacity(records.count)
        for record in records {
            if record.isValidUTF8 {
                messages.append(Message(kind: .text, payload: record))
            } else {
                complain(Self.notUTF8)
            }
        }
        return messages
    }

    /// Why a line was not sent as text.
    static let notUTF8 = "line not sent: it is not valid UTF-8"

    /// The payloads of a batch read into buffers of their own (`--chunk-size` from 16 KiB),
    /// taken out of it, so that they go to the socket without a copy; nil for any other batch.
    func payloads(taking batch: inout [InputRecord]) -> [ByteBuffer]? {
        guard self.inputIsBinary, case .buffer = batch.first else {
            return nil
        }
        let records = consume batch
        batch = []
        var payloads: [ByteBuffer] = []
        payloads.reserveCapacity(records.count)
        for record in records {
            switch record {
            case .buffer(let buffer):
                payloads.append(buffer)
            case .complete(let buffer):
                payloads.append(buffer)
            case .tooLong, .passedLimit:
                preconditionFailure("records of a fixed size are never too long")
            }
        }
        return payloads
    }

    /// A batch of input records as text lines.
    ///
    /// Records that are not UTF-8, or too long, are passed to `complain` and left out.
    func lines(from batch: [InputRecord], complain: (String) -> Void) -> [String] {
        var lines: [String] = []
        lines.reserveCapacity(batch.count)
        for record in self.records(from: batch, complain: complain) {
            if record.isValidUTF8 {
                lines.append(String(buffer: record))
            } else {
                complain(Self.notUTF8)
            }
        }
        return lines
    }

    /// The bytes of the records within the size limit; the others are passed to `complain`.
    private func records(from batch: [InputRecord], complain: (String) -> Void) -> [ByteBuffer] {
        batch.compactMap { record in
            let what = self.inputFraming == .whole ? "input" : "line"
            switch record {
            case .tooLong(let size):
                complain(
                    "\(what) not sent: its \(size) bytes are more than --max-message-size \(Self.sizeText(self.inputLimit)) allows"
                )
            case .passedLimit(let size):
                complain(
                    "\(what) being read will not be sent: \(size) bytes so far, more than --max-message-size \(Self.sizeText(self.inputLimit)) allows"
                        + (self.inputFraming == .whole ? "" : " (reading on to its end)")
                )
            case .complete(let buffer), .buffer(let buffer):
                return buffer
            }
            return nil
        }
    }

    /// `64M`, `512K`, `1000`: a size as `--max-message-size` takes it.
    static func sizeText(_ size: Int) -> String {
        for (suffix, unit) in [("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)] where size % unit == 0 {
            return "\(size / unit)\(suffix)"
        }
        return "\(size)"
    }
}
