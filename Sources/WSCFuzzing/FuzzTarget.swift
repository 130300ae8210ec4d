import WSCCore

/// The parsers that take outside input, each as a function of arbitrary bytes.
///
/// A target must never trap, whatever the bytes: parsers refuse bad input with an
/// error, and the state machines turn a misbehaving peer into a close code. The
/// targets also check invariants of their own (a parse that succeeds gives a value
/// that parses again the same way; one close event per connection) and trap when one
/// breaks, so libFuzzer reports it. `make fuzz` runs each under libFuzzer; the corpus
/// in `Fuzz/corpus/NAME` is replayed by the tests.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// Lines typed or piped with slash commands on, as a client and as a server.
    case slash
    /// `-H Name: value` headers.
    case header
    /// URLs: the one to connect to, `--proxy`, and a redirect's `Location`.
    case url
    /// `/json` and `--json` text.
    case json
    /// What servers answer: the upgrade's headers (subprotocol, extensions), and a
    /// SOCKS5 proxy's replies.
    case answer
    /// Sequences of connection events and frames from the peer.
    case events
    /// The bytes of frames as they arrive, cut into reads anywhere.
    case frames
    /// TLS: a certificate's DER and the TLS library's error text.
    case certificate

    /// Runs the target on one input.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .slash: Self.slash(bytes)
        case .header: Self.header(bytes)
        case .url: Self.url(bytes)
        case .json: Self.json(bytes)
        case .answer: Self.answer(bytes)
        case .events: Self.events(bytes)
        case .frames: Self.frames(bytes)
        case .certificate: Self.certificate(bytes)
        }
    }

    static func slash(_ bytes: [UInt8]) {
        let line = String(decoding: bytes, as: UTF8.self)
        _ = try? InputLine<SlashCommand>(parsing: line, slashCommands: true)
        _ = try? InputLine<ServerCommand>(parsing: line, slashCommands: true)
        _ = try? InputLine<SlashCommand>(parsing: line, slashCommands: false)
    }

    static func header(_ bytes: [UInt8]) {
        guard let field = try? HeaderField(parsing: String(decoding: bytes, as: UTF8.self)) else {
            return
        }
        // What was accepted goes on the wire as `Name: value`: it must read back the same.
        guard let again = try? HeaderField(parsing: "\(field.name): \(field.value)"), again == field else {
            fatalError("header \(field) does not parse back")
        }
        _ = field.redacted
    }

    static func url(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        if let url = try? WebSocketURL(parsing: text) {
            // The URL as shown must parse to the same target.
            guard let again = try? WebSocketURL(parsing: url.description), again.description == url.description else {
                fatalError("URL \(url) does not parse back")
            }
            _ = url.hostHeader
            if let target = try? Redirect.target(of: text, from: url), url.isSecure, !target.isSecure {
                fatalError("a redirect from wss:// to ws:// was allowed: \(text)")
            }
        }
        _ = try? ProxySettings(parsing: text)
        if let base = try? WebSocketURL(parsing: "wss://example.test:8443/a/b?c=d") {
            _ = try? Redirect.target(of: text, from: base)
        }
    }

    static func json(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let compact = try? JSONText.compact(text) else {
            return
        }
        // Compact JSON is still JSON, and compacting it again changes nothing.
        guard let again = try? JSONText.compact(compact), again == compact else {
            fatalError("compact JSON \(compact) is not stable")
        }
        _ = try? JSONText.pretty(text)
        _ = JSONText.isStructured(text)
    }

    static func answer(_ bytes: [UInt8]) {
        // Headers of a 101 answer, one per line.
        let headers = String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { line in
            try? HeaderField(parsing: String(line))
        }
        for compression in [true, false] {
            let validation = HandshakeValidation(
                offeredSubprotocols: ["chat", "v2.json"],
                offeredCompression: compression
            )
            _ = try? validation.validate(responseHeaders: headers)
        }
        for header in headers {
            _ = try? PerMessageDeflate(answer: header.value)
        }
        _ = PerMessageDeflate.accept(offers: headers.map(\.value))
        _ = ServerHandshakePolicy(compression: true).decide(requestMethod: "GET", requestHeaders: headers)
        // A SOCKS5 proxy's replies, fed in pieces as they may arrive.
        for destination in [SOCKS5Negotiation.Destination.domain("example.test"), .ipv4([127, 0, 0, 1])] {
            guard
                var negotiation = try? SOCKS5Negotiation(destination: destination, port: 443, user: "u", password: "p")
            else {
                continue
            }
            _ = negotiation.start()
            var rest = bytes[...]
            answering: while !rest.isEmpty {
                let size = Int(rest[rest.startIndex] % 16) + 1
                let piece = rest.prefix(size)
                rest = rest.dropFirst(size)
                // Once established or failed, the handshake hands over or ends the connection.
                switch negotiation.received(piece) {
                case .send, .wait: continue
                case .established, .fail: break answering
                }
            }
        }
    }

    static func events(_ bytes: [UInt8]) {
        // The first byte as a frame header's bits, the rest as a close frame's payload.
        if let first = bytes.first {
            for role in [ConnectionRole.client, .server] {
                let rules = FrameRules(role: role)
                _ = rules.header(
                    opcode: first & 0x0F,
                    rsv1: first & 0x40 != 0,
                    rsv2: first & 0x20 != 0,
                    rsv3: first & 0x10 != 0,
                    masked: first & 0x80 != 0
                )
            }
        }
        let payload = bytes.dropFirst()
        // The streaming UTF-8 check agrees with the standard library's, cut where the first
        // byte says.
        var validator = UTF8Validator()
        let cut = payload.startIndex + Int(bytes.first ?? 0) % (payload.count + 1)
        let accepted =
            validator.consume(payload[..<cut]) && validator.consume(payload[cut...]) && validator.isAtBoundary
        guard accepted == (String(validating: Array(payload), as: UTF8.self) != nil) else {
            fatalError("UTF8Validator disagrees with the standard library")
        }
        if case .close(let code, let reason) = FrameRules.closePayload(payload) {
            let encoded = code.map { [UInt8($0.rawValue >> 8), UInt8($0.rawValue & 0xFF)] + Array(reason.utf8) } ?? []
            guard encoded == Array(payload) else {
                fatalError("a close payload that passed does not encode back to itself")
            }
        }
        for role in [ConnectionRole.client, .server] {
            var machine = ConnectionStateMachine(role: role)
            var assembler = MessageAssembler(maximumMessageSize: 1000)
            assembler.compressionAgreed = bytes.first.map { $0 & 1 == 1 } ?? false
            var closes = 0
            let error = ConnectionError(.protocolViolation, "fuzz")
            for byte in bytes.dropFirst() {
                // Only a connect failure and the end of TCP can emit the close event.
                var closed = false
                // Before the upgrade only what can happen then; afterwards anything the
                // peer, the user or a timer can cause.
                if machine.readyState == .connecting {
                    switch byte % 4 {
                    case 0: _ = machine.upgradeSucceeded(); _ = machine.upgradeCompleted()
                    case 1: closed = Self.closes(machine.connectFailed(error))
                    case 2: _ = machine.closeRequested(code: .normalClosure, reason: "")
                    default: closed = Self.closes(machine.channelClosed())
                    }
                } else {
                    switch byte % 10 {
                    case 0: _ = machine.sendRequested()
                    case 1: _ = machine.closeRequested(code: CloseCode(UInt16(3000 + Int(byte))), reason: "r")
                    case 2: _ = machine.messageReceived()
                    case 3: _ = machine.pingReceived()
                    case 4: _ = machine.closeFrameReceived(code: byte & 16 == 0 ? nil : .normalClosure, reason: "")
                    case 5: _ = machine.protocolViolated(error, code: .protocolError)
                    case 6: _ = machine.keepaliveTimedOut(error)
                    case 7: _ = machine.closeTimedOut(error)
                    case 8: closed = Self.closes(machine.channelClosed())
                    default:
                        // A frame from the peer, into the message assembler.
                        let kinds: [MessageAssembler.FrameKind] = [.text, .binary, .continuation]
                        _ = assembler.frameReceived(
                            kinds[Int(byte >> 4) % 3],
                            fin: byte & 32 != 0,
                            rsv1: byte & 64 != 0,
                            length: Int(byte)
                        )
                        continue
                    }
                }
                closes += closed ? 1 : 0
                guard closes <= 1 else {
                    fatalError("two close events for one connection")
                }
            }
        }
    }

    /// Whether a connect failure emits the close event.
    static func closes(_ action: ConnectionStateMachine.ConnectFailedAction) -> Bool {
        switch action {
        case .none: false
        case .fireClose, .fireErrorAndClose: true
        }
    }

    /// Whether the end of TCP emits the close event.
    static func closes(_ action: ConnectionStateMachine.ChannelClosedAction) -> Bool {
        switch action {
        case .none: false
        case .fireClose, .fireErrorAndClose: true
        }
    }

    static func certificate(_ bytes: [UInt8]) {
        if let names = CertificateNames(der: bytes) {
            _ = names.issuerCommonName
            _ = names.subjectCommonName
            _ = CertificateRejection(names: names, notValidBefore: 0, notValidAfter: 1).explanation(now: 2)
        }
        let text = String(decoding: bytes, as: UTF8.self)
        _ = TLSAlert.explanation(ofUncoded: text)
        for code in TLSAlert.reasonCodes(in: text) {
            _ = TLSAlert.explanation(of: code)
        }
    }
}
