import WSCCore

/// Decides how each event looks on a terminal: the text, its colour, or nothing.
public struct EventRenderer: Sendable {
    public var style: OutputStyle

    public init(style: OutputStyle) {
        self.style = style
    }

    /// The lines for an event shown on a terminal, or nil when it is not shown.
    public func terminalText(for event: ConnectionEvent) -> String? {
        let color = self.style.color
        switch event {
        case .open(let info):
            return ANSIColor.green.paint(EventFormatter.opened(info), if: color)
        case .message(let message):
            let line: String
            switch message.kind {
            case .text: line = EventFormatter.text(message.text, pretty: self.style.pretty)
            case .binary: line = EventFormatter.binary(message.bytes, format: self.style.binaryFormat)
            }
            return ANSIColor.cyan.paint("<", if: color) + line.dropFirst()
        case .error(let error):
            return ANSIColor.red.paint(EventFormatter.error(error), if: color)
        case .close(let info):
            let text = EventFormatter.closed(info)
            return (info.wasClean ? ANSIColor.yellow : ANSIColor.red).paint(text, if: color)
        case .ping(let payload):
            guard self.style.showPingPong else {
                return nil
            }
            return ANSIColor.dim.paint(EventFormatter.control("ping", payload: payload, roundTrip: nil), if: color)
        case .pong(let payload, let roundTrip):
            guard self.style.showPingPong else {
                return nil
            }
            return ANSIColor.dim.paint(
                EventFormatter.control("pong", payload: payload, roundTrip: roundTrip),
                if: color
            )
        case .progress(let progress)
        where !progress.isComplete && (progress.totalBytes ?? progress.sentBytes) < Self.progressThreshold:
            // A small file is sent at once: its last report is enough.
            return nil
        case .progress(let progress):
            return ANSIColor.dim.paint(Self.progressText(progress), if: color)
        case .handshake(let trace):
            return ANSIColor.dim.paint(trace.lines.joined(separator: "\n"), if: color)
        case .redirect(let redirection):
            return ANSIColor.dim.paint(
                "Redirected (\(redirection.status)) to \(EventFormatter.escaped(redirection.url))",
                if: color
            )
        case .unsent(let messages):
            return ANSIColor.red.paint("error: " + EventFormatter.unsent(messages.count), if: color)
        case .reconnect(let attempt):
            return ANSIColor.yellow.paint(EventFormatter.reconnecting(attempt), if: color)
        }
    }

    /// A line about the session rather than a connection (`Listening on …`), coloured as `open`.
    public func noticeText(_ text: String) -> String {
        ANSIColor.green.paint(text, if: self.style.color)
    }

    /// The line for an event in pipe mode, written to standard error; nil when not shown.
    ///
    /// Messages are not here: their payloads go to standard output.
    public func diagnosticText(for event: ConnectionEvent) -> String? {
        switch event {
        case .message:
            return nil
        case .progress(let progress) where !progress.isComplete:
            return nil
        case .open, .error, .close, .ping, .pong, .progress, .handshake, .redirect, .unsent, .reconnect:
            return self.terminalText(for: event)
        }
    }

    /// Files smaller than this show only the line saying they were sent.
    static let progressThreshold: Int64 = 1 << 20

    static func progressText(_ progress: TransferProgress) -> String {
        if progress.isComplete {
            return "sent \(progress.name) (\(ByteCountFormatter.text(progress.totalBytes ?? progress.sentBytes)))"
        }
        guard let total = progress.totalBytes else {
            return "sending \(progress.name): \(ByteCountFormatter.text(progress.sentBytes)) so far"
        }
        let percent = total > 0 ? progress.sentBytes * 100 / total : 0
        return "sending \(progress.name): \(percent)% of \(ByteCountFormatter.text(total))"
    }
}

/// Sizes in words: `512 bytes`, `1.5 KiB`, `27.0 MiB`.
enum ByteCountFormatter {
    static func text(_ bytes: Int64) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB"]
        guard bytes >= 1024 else {
            return "\(bytes) byte\(bytes == 1 ? "" : "s")"
        }
        var value = Double(bytes)
        var unit = -1
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }
}
