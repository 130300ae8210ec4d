import WSCCore
import WSCTerminal

/// Events in pipe mode: received payloads on standard output, everything else on standard
/// error (after the payloads received before it).
@MainActor
final class PipeSink: EventSink {
    let standardOutput: StandardOutput
    let renderer: EventRenderer
    let prefix: EventPrefix
    let binaryFormat: BinaryFormat
    /// Which kinds of message were written, to say once that raw binary and text lines run
    /// together.
    private var wroteText = false
    private var wroteRawBinary = false

    init(standardOutput: StandardOutput, renderer: EventRenderer, style: OutputStyle) {
        self.standardOutput = standardOutput
        self.renderer = renderer
        self.prefix = EventPrefix(timestamps: style.timestamps)
        self.binaryFormat = style.binaryFormat
    }

    func show(_ event: ConnectionEvent, client: Int?) {
        if case .message(let message) = event {
            self.write(message)
        } else if let text = self.renderer.diagnosticText(for: event) {
            self.standardOutput.diagnostic(self.prefix.apply(to: text, client: client))
        }
    }

    func inform(_ text: String) {
        self.standardOutput.diagnostic(text)
    }

    func listening(on url: String, notes: [String]) {
        self.inform(self.renderer.noticeText(TerminalSink.listeningText(url, notes)))
    }

    /// A received payload on standard output: text and raw binary straight from the bytes
    /// they arrived in.
    private func write(_ message: Message) {
        switch message.kind {
        case .text:
            self.standardOutput.write(message.payload.readableBytesView, newline: true)
            self.wrote(rawBinary: false)
        case .binary:
            switch self.binaryFormat {
            case .raw:
                self.standardOutput.write(message.payload.readableBytesView, newline: false)
                self.wrote(rawBinary: true)
            case .base64:
                self.standardOutput.write(Base64.encode(message.bytes).utf8, newline: true)
            case .hex:
                self.standardOutput.write(EventFormatter.hex(message.bytes).filter { $0 != " " }.utf8, newline: true)
            case .summary:
                self.standardOutput.write("[binary \(message.byteCount) bytes]".utf8, newline: true)
            }
        }
    }

    /// Notes a payload written; the first time raw binary and text have both been written,
    /// says how to tell them apart (raw binary ends with no newline).
    private func wrote(rawBinary: Bool) {
        let mixedBefore = self.wroteText && self.wroteRawBinary
        if rawBinary {
            self.wroteRawBinary = true
        } else {
            self.wroteText = true
        }
        if !mixedBefore, self.wroteText, self.wroteRawBinary {
            self.standardOutput.diagnostic(
                "note: binary messages are written raw, with no newline, so they run into the text lines around them; "
                    + "--binary-format base64 (or hex) or --ndjson give one line per message"
            )
        }
    }
}
