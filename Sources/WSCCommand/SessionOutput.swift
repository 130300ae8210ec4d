import Dispatch
import WSCCore
import WSCTerminal

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a session's events go: above the prompt, as NDJSON lines, or in pipe mode.
///
/// In pipe mode, payloads go to standard output and everything else to standard error.
///
/// Standard output is buffered: written at 64 KiB, at the end of each turn of the main
/// queue, before any line on standard error (so a shared terminal keeps the order), and
/// when the session ends.
@MainActor
final class SessionOutput {
    let style: OutputStyle
    let renderer: EventRenderer
    let ndjson: Bool
    /// The prompt, in interactive mode.
    var editor: LineEditor?
    /// Called once when standard output is found closed (`| head -1`), or failing (a full disk).
    var onClosed: (@MainActor () -> Void)?
    /// Why standard output failed, when it failed with anything but `EPIPE`: what was received
    /// from then on is lost, which the exit status says (74).
    private(set) var writeFailure: OutputStream.Failure?

    /// Received payloads not yet written to standard output.
    private var buffer: [UInt8] = []
    private var flushScheduled = false
    /// Standard output is written once this much is buffered.
    static let bufferLimit = 64 * 1024
    /// Set once standard output is gone: nothing more is written there.
    private(set) var isClosed = false
    /// Which kinds of message were written to standard output in pipe mode, to say once
    /// that raw binary and text lines run together.
    private var wroteText = false
    private var wroteRawBinary = false

    init(style: OutputStyle, ndjson: Bool) {
        self.style = style
        self.renderer = EventRenderer(style: style)
        self.ndjson = ndjson
    }

    /// Opens the prompt (`> `) with history and completion of the role's commands.
    func startPrompt(
        for role: ConnectionRole,
        onLine: @escaping @MainActor (String) -> Void,
        onEndOfInput: @escaping @MainActor () -> Void,
        onHangUp: @escaping @MainActor () -> Void
    ) {
        let editor = LibEditLineEditor(
            prompt: "> ",
            historyFile: HistoryLocation.defaultPath(),
            commands: SlashCommand.descriptions(for: role).map(\.name)
        )
        self.editor = editor
        editor.start(onLine: onLine, onEndOfInput: onEndOfInput, onHangUp: onHangUp)
    }

    /// Removes the prompt and gives the terminal back; events go to the pipes' streams after.
    func stopPrompt() {
        self.editor?.stop()
        self.editor = nil
    }

    /// Shows an event; `client` (with `--listen`) prefixes it with `[#id]` or adds it to the JSON.
    func show(_ event: ConnectionEvent, client: Int? = nil) {
        if self.ndjson {
            let line = NDJSON.line(
                for: event,
                time: Self.epochMilliseconds(),
                showPingPong: self.style.showPingPong,
                client: client
            )
            if let line {
                self.write(line.utf8, newline: true)
            }
            return
        }
        if let editor = self.editor {
            if let text = self.renderer.terminalText(for: event) {
                editor.print(self.prefixed(text, client: client))
            }
            return
        }
        if case .message(let message) = event {
            self.writePayload(message)
        } else if let text = self.renderer.diagnosticText(for: event) {
            self.diagnostic(self.prefixed(text, client: client))
        }
    }

    /// Each line of an event's text prefixed with the time (`-T`) and `[#id] ` (`--listen`).
    func prefixed(_ text: String, client: Int?) -> String {
        var prefix = client.map { "[#\($0)] " } ?? ""
        if self.style.timestamps {
            prefix = Self.localClock() + " " + prefix
        }
        guard !prefix.isEmpty else {
            return text
        }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { prefix + $0 }.joined(separator: "\n")
    }

    /// The local time of day now, `14:03:27.041`.
    static func localClock() -> String {
        let milliseconds = Self.epochMilliseconds()
        var seconds = time_t(milliseconds / 1000)
        var local = tm()
        localtime_r(&seconds, &local)
        return EventFormatter.clock(milliseconds: milliseconds, utcOffsetSeconds: Int(local.tm_gmtoff))
    }

    /// A line for the user that is not a connection event (help, status, input errors).
    func inform(_ text: String) {
        if let editor = self.editor {
            editor.print(text)
        } else {
            self.diagnostic(text)
        }
    }

    /// A line on standard error, after the payloads received before it.
    func diagnostic(_ text: String) {
        self.flush()
        OutputStream.standardError.write(text + "\n")
    }

    /// A line of NDJSON on standard output (for events that are not a connection's).
    func writeJSONLine(_ line: String) {
        self.write(line.utf8, newline: true)
    }

    /// Pipe mode: a received payload on standard output.
    private func writePayload(_ message: Message) {
        switch message {
        case .text(let text):
            self.write(text.utf8, newline: true)
            self.wrote(rawBinary: false)
        case .binary(let bytes):
            switch self.style.binaryFormat {
            case .raw:
                self.write(bytes, newline: false)
                self.wrote(rawBinary: true)
            case .base64:
                self.write(Base64.encode(bytes).utf8, newline: true)
            case .hex:
                self.write(EventFormatter.hex(bytes).filter { $0 != " " }.utf8, newline: true)
            case .summary:
                self.write("[binary \(bytes.count) bytes]".utf8, newline: true)
            }
        }
    }

    /// Notes a payload written in pipe mode; the first time raw binary and text have both
    /// been written, says how to tell them apart (raw binary ends with no newline).
    private func wrote(rawBinary: Bool) {
        let mixedBefore = self.wroteText && self.wroteRawBinary
        if rawBinary {
            self.wroteRawBinary = true
        } else {
            self.wroteText = true
        }
        if !mixedBefore, self.wroteText, self.wroteRawBinary {
            self.diagnostic(
                "note: binary messages are written raw, with no newline, so they run into the text lines around them; "
                    + "--binary-format base64 (or hex) or --ndjson give one line per message"
            )
        }
    }

    /// Adds to standard output's buffer; it is written at 64 KiB or at the end of this turn.
    private func write<Bytes: Collection<UInt8>>(_ bytes: Bytes, newline: Bool) {
        guard !self.isClosed else {
            return
        }
        self.buffer.append(contentsOf: bytes)
        if newline {
            self.buffer.append(UInt8(ascii: "\n"))
        }
        if self.buffer.count >= Self.bufferLimit {
            self.flush()
        } else if !self.flushScheduled {
            self.flushScheduled = true
            DispatchQueue.main.async { [weak self] in
                MainActor.assumeIsolated {
                    self?.flush()
                }
            }
        }
    }

    /// Writes the buffer (blocking while the reader is slow: that is the back-pressure).
    ///
    /// When the reader is gone, says so through `onClosed`.
    func flush() {
        self.flushScheduled = false
        guard !self.buffer.isEmpty, !self.isClosed else {
            return
        }
        if let failure = OutputStream.standardOutput.writeAll(self.buffer) {
            self.isClosed = true
            if case .failed = failure {
                // A reader that left (EPIPE) had what it wanted; any other error lost replies.
                self.writeFailure = failure
                OutputStream.standardError.write(
                    "wsc: cannot write to standard output: \(failure.description); closing\n"
                )
            }
            self.onClosed?()
        }
        self.buffer.removeAll(keepingCapacity: true)
    }

    /// Milliseconds since the Unix epoch, for `--ndjson` timestamps.
    static func epochMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}
