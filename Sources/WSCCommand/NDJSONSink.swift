import WSCCore
import WSCTerminal

/// Events as NDJSON: one object per line on standard output (`--ndjson`).
@MainActor
final class NDJSONSink: EventSink {
    let standardOutput: StandardOutput
    let showPingPong: Bool

    init(standardOutput: StandardOutput, showPingPong: Bool) {
        self.standardOutput = standardOutput
        self.showPingPong = showPingPong
    }

    func show(_ event: ConnectionEvent, client: Int?) {
        let line = NDJSON.line(
            for: event,
            time: EventPrefix.epochMilliseconds(),
            showPingPong: self.showPingPong,
            client: client
        )
        if let line {
            self.standardOutput.write(line.utf8, newline: true)
        }
    }

    /// Lines for the user stay on standard error: standard output is only objects.
    func inform(_ text: String) {
        self.standardOutput.diagnostic(text)
    }

    func listening(on url: String, notes: [String]) {
        let time = NDJSON.timestamp(milliseconds: EventPrefix.epochMilliseconds())
        self.standardOutput.write(
            #"{"event":"listening","url":\#(NDJSON.string(url)),"time":"\#(time)"}"#.utf8,
            newline: true
        )
    }
}
