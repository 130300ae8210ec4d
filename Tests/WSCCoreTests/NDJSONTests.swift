import Testing
import WSCCore

@Suite("NDJSON")
struct NDJSONTests {
    @Test("timestamps are ISO 8601 UTC with milliseconds")
    func timestamps() {
        #expect(NDJSON.timestamp(milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(NDJSON.timestamp(milliseconds: 951_782_400_123) == "2000-02-29T00:00:00.123Z")
        #expect(NDJSON.timestamp(milliseconds: 1_795_246_985_007) == "2026-11-21T07:43:05.007Z")
    }

    @Test("events are one JSON object each, for jq")
    func events() throws {
        let open = try #require(
            NDJSON.line(
                for: .open(OpenInfo(url: "ws://h/", subprotocol: nil, extensions: [])),
                time: 0,
                showPingPong: false
            )
        )
        #expect(
            open
                == #"{"event":"open","url":"ws://h/","protocol":null,"extensions":[],"time":"1970-01-01T00:00:00.000Z"}"#
        )
        let text = try #require(NDJSON.line(for: .message(.text("a\"b\n\u{1}")), time: 0, showPingPong: false))
        #expect(text.hasPrefix(#"{"event":"message","type":"text","data":"a\"b\n\u0001","#))
        let binary = try #require(NDJSON.line(for: .message(.binary([0, 255])), time: 0, showPingPong: false))
        #expect(binary.contains(#""type":"binary","encoding":"base64","data":"AP8=""#))
        let close = try #require(
            NDJSON.line(
                for: .close(CloseInfo(code: CloseCode(4001), reason: "bye", wasClean: true, initiator: .peer)),
                time: 0,
                showPingPong: false
            )
        )
        #expect(close.hasPrefix(#"{"event":"close","code":4001,"reason":"bye","wasClean":true,"#))
        #expect(NDJSON.line(for: .ping([1]), time: 0, showPingPong: false) == nil)
        #expect(
            NDJSON.line(for: .ping(Array("x".utf8)), time: 0, showPingPong: true)?.hasPrefix(
                #"{"event":"ping","data":"x""#
            ) == true
        )
        // Every line is valid JSON by our own validator.
        for line in [open, text, binary, close] {
            #expect(throws: Never.self) { try JSONText.compact(line) }
        }
    }

    @Test("with --listen, every event carries the client id; open carries the remote address")
    func listenEvents() throws {
        let open = try #require(
            NDJSON.line(
                for: .open(OpenInfo(url: "/chat", subprotocol: "v1", extensions: [], remoteAddress: "127.0.0.1:5000")),
                time: 0,
                showPingPong: false,
                client: 3
            )
        )
        #expect(
            open
                == #"{"event":"open","client":3,"url":"/chat","protocol":"v1","extensions":[],"remoteAddress":"127.0.0.1:5000","time":"1970-01-01T00:00:00.000Z"}"#
        )
        let text = try #require(NDJSON.line(for: .message(.text("hi")), time: 0, showPingPong: false, client: 12))
        #expect(text.hasPrefix(#"{"event":"message","client":12,"type":"text","data":"hi","#))
    }
}
