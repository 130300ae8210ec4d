import Foundation
import Testing

extension EndToEnd {
    /// `-T`: event lines start with the local time; payloads on stdout are untouched.
    @Suite("timestamps", .timeLimit(.minutes(1)))
    struct TimestampTests {
        @Test("each event line on stderr starts with HH:MM:SS.mmm in the local zone; stdout is only the payload")
        func eventLines() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let utc = DateFormatter()
            utc.timeZone = TimeZone(identifier: "UTC")
            utc.dateFormat = "HH:mm"
            let before = utc.string(from: Date())
            let run = try WSCRun.run(["-T", "-x", "hi", "ws://127.0.0.1:\(server.port)/"], environment: ["TZ": "UTC"])
            let after = utc.string(from: Date())
            #expect(run.status == 0)
            #expect(run.output == "hi\n")
            let lines = run.standardError.split(separator: "\n")
            #expect(lines.count == 2)
            for line in lines {
                #expect(line.wholeMatch(of: /\d\d:\d\d:\d\d\.\d\d\d (Connected to|Disconnected \(code: 1000).*/) != nil, "\(line)")
            }
            // TZ=UTC is honoured (the minute may turn over during the run).
            let first = String(lines.first ?? "")
            #expect(first.hasPrefix(before) || first.hasPrefix(after), "\(first) is not UTC (\(before)-\(after))")
        }
    }
}
