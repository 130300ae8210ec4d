/// Writes events as one JSON object per line (`--ndjson`), each with its time.
public enum NDJSON {
    /// The line for an event (without the newline), or nil for events not reported this way.
    ///
    /// - Parameters:
    ///   - time: when it happened, as milliseconds since the Unix epoch (UTC).
    ///   - showPingPong: whether pings and pongs are reported (`-P`).
    ///   - client: the id of the connection, for `wsc --listen` (a `"client"` field after `"event"`).
    public static func line(for event: ConnectionEvent, time: Int64, showPingPong: Bool, client: Int? = nil) -> String?
    {
        var fields: [(String, String)] = []
        switch event {
        case .open(let info):
            fields = [
                ("event", Self.string("open")),
                ("url", Self.string(info.url)),
                ("protocol", info.subprotocol.map(Self.string) ?? "null"),
                ("extensions", "[" + info.extensions.map(Self.string).joined(separator: ",") + "]"),
            ]
            if let remoteAddress = info.remoteAddress {
                fields.append(("remoteAddress", Self.string(remoteAddress)))
            }
        case .message(let message):
            switch message.kind {
            case .text:
                fields = [
                    ("event", Self.string("message")), ("type", Self.string("text")),
                    ("data", Self.string(message.text)),
                ]
            case .binary:
                fields = [
                    ("event", Self.string("message")), ("type", Self.string("binary")),
                    ("encoding", Self.string("base64")), ("data", Self.string(Base64.encode(message.bytes))),
                ]
            }
        case .error(let error):
            fields = [("event", Self.string("error")), ("message", Self.string(error.message))]
            if case .rejected(let rejection) = error.kind {
                fields.append(("status", String(rejection.status)))
                fields.append(("body", Self.string(String(decoding: rejection.body, as: UTF8.self))))
            }
        case .close(let info):
            fields = [
                ("event", Self.string("close")), ("code", String(info.code.rawValue)),
                ("reason", Self.string(info.reason)), ("wasClean", String(info.wasClean)),
            ]
        case .ping(let payload) where showPingPong:
            fields = [("event", Self.string("ping")), ("data", Self.string(String(decoding: payload, as: UTF8.self)))]
        case .pong(let payload, let roundTrip) where showPingPong:
            fields = [("event", Self.string("pong")), ("data", Self.string(String(decoding: payload, as: UTF8.self)))]
            if let roundTrip {
                let (seconds, attoseconds) = roundTrip.components
                fields.append(("rttMicroseconds", String(seconds * 1_000_000 + attoseconds / 1_000_000_000_000)))
            }
        case .redirect(let redirection):
            fields = [
                ("event", Self.string("redirect")), ("status", String(redirection.status)),
                ("url", Self.string(redirection.url)),
            ]
        case .unsent(let messages):
            fields = [("event", Self.string("error")), ("message", Self.string(EventFormatter.unsent(messages.count)))]
        case .reconnect(let attempt):
            let (seconds, attoseconds) = attempt.delay.components
            fields = [
                ("event", Self.string("reconnect")), ("attempt", String(attempt.attempt)),
                ("delayMilliseconds", String(seconds * 1000 + attoseconds / 1_000_000_000_000_000)),
            ]
        case .ping, .pong, .progress, .handshake:
            return nil
        }
        if let client {
            fields.insert(("client", String(client)), at: 1)
        }
        fields.append(("time", Self.string(Self.timestamp(milliseconds: time))))
        return "{" + fields.map { "\(Self.string($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }

    /// A JSON string literal.
    public static func string(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// `2026-11-21T07:43:05.123Z` for milliseconds since the epoch.
    public static func timestamp(milliseconds: Int64) -> String {
        let millisecondsOfDay = ((milliseconds % 86_400_000) + 86_400_000) % 86_400_000
        let days = (milliseconds - millisecondsOfDay) / 86_400_000
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        let date = "\(year.zeroPadded(4))-\(month.zeroPadded(2))-\(day.zeroPadded(2))"
        return date + "T" + EventFormatter.clock(milliseconds: milliseconds, utcOffsetSeconds: 0) + "Z"
    }
}
