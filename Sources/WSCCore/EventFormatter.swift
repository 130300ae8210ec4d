/// Turns events into the text lines `wsc` shows; colour and placement are the printer's.
public enum EventFormatter {
    /// How many bytes a hex preview shows.
    public static let previewBytes = 32

    /// The line shown when a connection opens.
    ///
    /// `Connected to <url> (subprotocol: X, extensions: Y)`; for a client of `wsc --listen`,
    /// `Client connected from <address> (path: /p, subprotocol: X, extensions: Y)`.
    public static func opened(_ info: OpenInfo) -> String {
        let extensions = info.extensions.isEmpty ? "none" : info.extensions.joined(separator: ", ")
        let details = "subprotocol: \(info.subprotocol ?? "none"), extensions: \(extensions)"
        if let remoteAddress = info.remoteAddress {
            return "Client connected from \(remoteAddress) (path: \(Self.escaped(info.url)), \(details))"
        }
        return "Connected to \(info.url) (\(details))"
    }

    /// `14:03:27.041`: the local time of day of an event, for `-T`.
    ///
    /// - Parameters:
    ///   - milliseconds: when it happened, as milliseconds since the Unix epoch (UTC).
    ///   - utcOffsetSeconds: the local time zone's offset from UTC at that moment.
    public static func clock(milliseconds: Int64, utcOffsetSeconds: Int) -> String {
        let local = milliseconds + Int64(utcOffsetSeconds) * 1000
        let ofDay = ((local % 86_400_000) + 86_400_000) % 86_400_000
        let seconds = ofDay / 1000
        return
            "\((seconds / 3600).zeroPadded(2)):\((seconds / 60 % 60).zeroPadded(2)):\((seconds % 60).zeroPadded(2)).\((ofDay % 1000).zeroPadded(3))"
    }

    /// `Disconnected (code: 1000, reason: "bye", wasClean: true)`.
    public static func closed(_ info: CloseInfo) -> String {
        "Disconnected (code: \(info.code.rawValue), reason: \(Self.quoted(info.reason)), wasClean: \(info.wasClean))"
    }

    /// `3 messages not sent: the connection ended before they went out`.
    public static func unsent(_ count: Int) -> String {
        "\(count) message\(count == 1 ? "" : "s") not sent: the connection ended before \(count == 1 ? "it" : "they") went out"
    }

    /// `Reconnecting in 1.5 s (attempt 2)`.
    public static func reconnecting(_ attempt: ReconnectAttempt) -> String {
        let (seconds, attoseconds) = attempt.delay.components
        let tenths = (attoseconds + 50_000_000_000_000_000) / 100_000_000_000_000_000
        let delay = tenths >= 10 ? "\(seconds + 1).0" : "\(seconds).\(tenths)"
        return "Reconnecting in \(delay) s (attempt \(attempt.attempt))"
    }

    /// `error: <what happened and why>`, followed by the refused response's body when there is one.
    public static func error(_ error: ConnectionError) -> String {
        var text = "error: \(Self.escaped(error.message))"
        if case .rejected(let rejection) = error.kind, let location = Redirect.location(of: rejection) {
            text += "\nLocation: \(Self.escaped(location)) (-L follows redirects)"
        }
        if case .rejected(let rejection) = error.kind, !rejection.body.isEmpty {
            let body = String(decoding: rejection.body, as: UTF8.self)
            let suffix = rejection.bodyTruncated ? " (first \(rejection.body.count) bytes)" : ""
            text += "\nresponse body\(suffix):\n" + Self.escaped(body)
            if text.hasSuffix("\n") {
                text.removeLast()
            }
        }
        return text
    }

    /// A received text message as shown on a terminal: `< text`, escaped.
    public static func text(_ text: String, pretty: Bool) -> String {
        if pretty, JSONText.isStructured(text), let formatted = try? JSONText.pretty(text) {
            return "< " + Self.escaped(formatted)
        }
        return "< " + Self.escaped(text)
    }

    /// A received binary message as shown on a terminal, per the format.
    public static func binary(_ bytes: [UInt8], format: BinaryFormat) -> String {
        let header = "< [binary \(bytes.count) byte\(bytes.count == 1 ? "" : "s")]"
        switch format {
        case .summary:
            return header
        case .hex:
            guard !bytes.isEmpty else {
                return header
            }
            let preview = Self.hex(bytes.prefix(Self.previewBytes))
            let more = bytes.count > Self.previewBytes ? " …" : ""
            return "\(header) \(preview)\(more)"
        case .base64:
            return "\(header) \(Base64.encode(bytes))"
        case .raw:
            return "\(header) \(Self.escaped(String(decoding: bytes, as: UTF8.self)))"
        }
    }

    /// A ping or pong line for `-P`.
    public static func control(_ kind: String, payload: [UInt8], roundTrip: Duration?) -> String {
        var text = "< [\(kind)]"
        if !payload.isEmpty {
            text += " " + Self.escaped(String(decoding: payload, as: UTF8.self))
        }
        if let roundTrip {
            text += " (rtt \(Self.milliseconds(roundTrip)))"
        }
        return text
    }

    /// A duration in seconds, to the millisecond and without trailing zeros: `5 s`, `2.5 s`.
    public static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        var fraction = String(milliseconds % 1000)
        guard fraction != "0" else {
            return "\(milliseconds / 1000) s"
        }
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") {
            fraction.removeLast()
        }
        return "\(milliseconds / 1000).\(fraction) s"
    }

    /// A duration as milliseconds with two decimals, e.g. `0.42 ms`.
    public static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let hundredths = seconds * 100_000 + attoseconds / 10_000_000_000_000
        return "\(hundredths / 100).\(Self.twoDigits(hundredths % 100)) ms"
    }

    /// Space-separated lowercase hex, e.g. `68 69 ff`.
    public static func hex<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 3)
        for byte in bytes {
            if !out.isEmpty {
                out.append(0x20)
            }
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The text in double quotes, with quotes, backslashes and control characters escaped.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out += Self.escaped(scalar, keepLayout: false)
            }
        }
        return out + "\""
    }

    /// The text with control characters made visible, so received data cannot drive the terminal.
    ///
    /// Line feeds and tabs are kept (they lay text out); every other C0 control, DEL and
    /// the C1 controls become `\xNN` / `\u{NNNN}`; a carriage return becomes `\r`.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: Self.needsEscape) else {
            return text
        }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            out += Self.escaped(scalar, keepLayout: true)
        }
        return out
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: false
        case 0x00..<0x20, 0x7F, 0x80..<0xA0: true
        default: false
        }
    }

    static func escaped(_ scalar: Unicode.Scalar, keepLayout: Bool) -> String {
        switch scalar.value {
        case 0x0A where keepLayout, 0x09 where keepLayout:
            return String(scalar)
        case 0x0D:
            return "\\r"
        case 0x00..<0x20, 0x7F:
            return "\\x" + Self.twoHex(UInt8(scalar.value))
        case 0x80..<0xA0:
            return "\\u{" + String(scalar.value, radix: 16) + "}"
        default:
            return String(scalar)
        }
    }

    static func twoHex(_ byte: UInt8) -> String {
        Self.hex(CollectionOfOne(byte))
    }

    static func twoDigits(_ value: Int64) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
