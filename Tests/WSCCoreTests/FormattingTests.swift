import Testing
import WSCCore

@Suite("EventFormatter, ExitStatus and friends")
struct FormattingTests {
    @Test("reconnect and unsent lines: the delay to a tenth of a second, counts in words")
    func reconnecting() {
        #expect(
            EventFormatter.reconnecting(ReconnectAttempt(attempt: 2, delay: .milliseconds(1450)))
                == "Reconnecting in 1.5 s (attempt 2)"
        )
        #expect(
            EventFormatter.reconnecting(ReconnectAttempt(attempt: 1, delay: .milliseconds(960)))
                == "Reconnecting in 1.0 s (attempt 1)"
        )
        #expect(
            EventFormatter.reconnecting(ReconnectAttempt(attempt: 7, delay: .seconds(30)))
                == "Reconnecting in 30.0 s (attempt 7)"
        )
        #expect(EventFormatter.unsent(1) == "1 message not sent: the connection ended before it went out")
        #expect(EventFormatter.unsent(3) == "3 messages not sent: the connection ended before they went out")
        let line = NDJSON.line(
            for: .reconnect(ReconnectAttempt(attempt: 3, delay: .milliseconds(2500))),
            time: 0,
            showPingPong: false
        )
        #expect(line?.hasPrefix(#"{"event":"reconnect","attempt":3,"delayMilliseconds":2500,"time":"#) == true)
    }

    @Test("event lines look as documented")
    func lines() {
        #expect(
            EventFormatter.opened(OpenInfo(url: "ws://h/", subprotocol: "chat", extensions: ["x"]))
                == "Connected to ws://h/ (subprotocol: chat, extensions: x)"
        )
        #expect(
            EventFormatter.opened(
                OpenInfo(url: "/a\u{1B}", subprotocol: nil, extensions: [], remoteAddress: "[::1]:5000")
            )
                == "Client connected from [::1]:5000 (path: /a\\x1b, subprotocol: none, extensions: none)"
        )
        #expect(
            EventFormatter.closed(CloseInfo(code: .normalClosure, reason: "bye", wasClean: true, initiator: .peer))
                == "Disconnected (code: 1000, reason: \"bye\", wasClean: true)"
        )
        #expect(
            EventFormatter.closed(.abnormal(initiator: .transport))
                == "Disconnected (code: 1006, reason: \"\", wasClean: false)"
        )
        #expect(EventFormatter.error(ConnectionError(.connect, "refused")) == "error: refused")
    }

    @Test("-T clock times are local, with milliseconds, across midnight and before 1970")
    func clock() {
        // 2026-11-21T07:43:05.007Z
        let instant: Int64 = 1_795_246_985_007
        #expect(EventFormatter.clock(milliseconds: instant, utcOffsetSeconds: 0) == "07:43:05.007")
        #expect(EventFormatter.clock(milliseconds: instant, utcOffsetSeconds: 3600) == "08:43:05.007")
        #expect(EventFormatter.clock(milliseconds: instant, utcOffsetSeconds: -8 * 3600) == "23:43:05.007")
        #expect(EventFormatter.clock(milliseconds: instant, utcOffsetSeconds: 5 * 3600 + 1800) == "13:13:05.007")
        #expect(EventFormatter.clock(milliseconds: -1, utcOffsetSeconds: 0) == "23:59:59.999")
    }

    @Test("control characters in received text cannot drive the terminal")
    func escaping() {
        #expect(
            EventFormatter.text("a\u{1B}[2Jb\u{07}\r\n\tc\u{7F}\u{9B}", pretty: false)
                == "< a\\x1b[2Jb\\x07\\r\n\tc\\x7f\\u{9b}"
        )
        #expect(EventFormatter.quoted("say \"hi\"\n") == "\"say \\\"hi\\\"\\n\"")
    }

    @Test("binary is shown per format")
    func binary() {
        let bytes: [UInt8] = [0x68, 0x69, 0x00, 0xFF]
        #expect(EventFormatter.binary(bytes, format: .hex) == "< [binary 4 bytes] 68 69 00 ff")
        #expect(EventFormatter.binary(bytes, format: .base64) == "< [binary 4 bytes] aGkA/w==")
        #expect(EventFormatter.binary(bytes, format: .summary) == "< [binary 4 bytes]")
        #expect(EventFormatter.binary(Array(repeating: 1, count: 40), format: .hex).hasSuffix(" …"))
        #expect(EventFormatter.binary([7], format: .summary) == "< [binary 1 byte]")
    }

    @Test("base64 matches RFC 4648 test vectors")
    func base64() {
        let vectors = [
            "": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=",
            "foobar": "Zm9vYmFy",
        ]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
        }
    }

    @Test("pretty JSON display")
    func prettyJSON() {
        #expect(EventFormatter.text("{\"a\":1}", pretty: true) == "< {\n  \"a\": 1\n}")
        #expect(EventFormatter.text("{\"a\":1}", pretty: false) == "< {\"a\":1}")
    }

    @Test("exit status of a close")
    func exitStatus() {
        func status(_ code: UInt16, clean: Bool, by initiator: CloseInitiator) -> WSCCore.ExitStatus {
            WSCCore.ExitStatus(
                closedWith: CloseInfo(code: CloseCode(code), reason: "", wasClean: clean, initiator: initiator)
            )
        }
        #expect(status(1000, clean: true, by: .user) == .success)
        #expect(status(4000, clean: true, by: .user) == .success)
        #expect(status(1000, clean: true, by: .peer) == .success)
        #expect(status(1001, clean: true, by: .peer) == .success)
        #expect(status(1005, clean: true, by: .peer) == .success)
        #expect(status(4001, clean: true, by: .peer) == .closedAbnormally)
        #expect(status(1002, clean: true, by: .protocolFailure) == .closedAbnormally)
        #expect(status(1006, clean: false, by: .transport) == .closedAbnormally)
        #expect(status(1006, clean: false, by: .user) == .closedAbnormally)
        #expect(WSCCore.ExitStatus(failedWith: ConnectionError(.connect, "")) == .unavailable)
        #expect(WSCCore.ExitStatus(failedWith: ConnectionError(.tls, "")) == .unavailable)
        #expect(WSCCore.ExitStatus(failedWith: ConnectionError(.handshake, "")) == .protocolError)
        #expect(WSCCore.ExitStatus.protocolError.rawValue == 76 && ExitStatus.usage.rawValue == 64)
    }

    @Test("durations in seconds, to the millisecond, without trailing zeros")
    func seconds() {
        #expect(EventFormatter.seconds(.seconds(5)) == "5 s")
        #expect(EventFormatter.seconds(.milliseconds(2500)) == "2.5 s")
        #expect(EventFormatter.seconds(.milliseconds(1)) == "0.001 s")
        #expect(EventFormatter.seconds(.milliseconds(10_050)) == "10.05 s")
        #expect(EventFormatter.seconds(.seconds(1_000_000_000)) == "1000000000 s")
    }

    @Test(
        "what a session lost counts in its status: output 74 over a close's status, unsent input 65 over success only"
    )
    func exitStatusCountsLosses() {
        for status in WSCCore.ExitStatus.allCases {
            let closeStatus = status == .success || status == .closedAbnormally
            #expect(status.counting(outputFailed: false, inputNotSent: false) == status)
            #expect(status.counting(outputFailed: true, inputNotSent: false) == (closeStatus ? .outputFailed : status))
            #expect(status.counting(outputFailed: true, inputNotSent: true) == (closeStatus ? .outputFailed : status))
            #expect(
                status.counting(outputFailed: false, inputNotSent: true) == (status == .success ? .dataError : status)
            )
        }
        #expect(WSCCore.ExitStatus.outputFailed.rawValue == 74 && ExitStatus.dataError.rawValue == 65)
    }

    @Test("ping round trips are matched by payload, with time passed in")
    func pings() {
        var tracker = PingTracker()
        let start = ContinuousClock.now
        tracker.pingSent([1], at: start)
        tracker.pingSent([2], at: start + .milliseconds(5))
        #expect(tracker.pongReceived([9], at: start + .milliseconds(6)) == nil)
        #expect(tracker.pongReceived([2], at: start + .milliseconds(12)) == .milliseconds(7))
        #expect(tracker.pongReceived([1], at: start + .milliseconds(13)) == nil)
        #expect(tracker.lastRoundTrip == .milliseconds(7))
        #expect(EventFormatter.milliseconds(.microseconds(1234)) == "1.23 ms")
    }

    @Test("handshake checks: subprotocol offered, no extension unasked")
    func handshake() throws {
        let validation = HandshakeValidation(offeredSubprotocols: ["chat", "superchat"], offeredCompression: false)
        let ok = try validation.validate(responseHeaders: [HeaderField(name: "Sec-WebSocket-Protocol", value: "chat")])
        #expect(ok.subprotocol == "chat")
        #expect(try validation.validate(responseHeaders: []).subprotocol == nil)
        #expect(throws: ConnectionError.self) {
            try validation.validate(responseHeaders: [HeaderField(name: "sec-websocket-protocol", value: "other")])
        }
        #expect(throws: ConnectionError.self) {
            try validation.validate(responseHeaders: [
                HeaderField(name: "Sec-WebSocket-Extensions", value: "permessage-deflate")
            ])
        }
    }

    @Test("secrets are redacted in traces")
    func redaction() {
        let trace = HandshakeTrace(
            isRequest: true,
            startLine: "GET / HTTP/1.1",
            headers: [
                HeaderField(name: "Authorization", value: "Basic dXNlcjpwYXNz"), HeaderField(name: "X", value: "y"),
            ]
        )
        #expect(trace.lines == ["> GET / HTTP/1.1", "> Authorization: Basic <redacted>", "> X: y"])
    }
}
