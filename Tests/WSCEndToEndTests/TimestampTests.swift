import Foundation
import Testing

extension EndToEnd {
    /// `-T`: event lines start with the local time; payloads on stdout are untouched.
    @Suite("timestamps", .timeLimit(.minutes(1)))
    struct TimestampTests {
        /// Zones as `TZ` gives them (POSIX: `WSC-5:30` is 5 h 30 ahead of UTC), with their offsets.
        static let zones: [(tz: String, secondsFromGMT: Int)] = [
            ("UTC", 0), ("WSC-5:30", 19_800), ("WSC+3:30", -12_600),
        ]

        @Test(
            "each event line on stderr starts with HH:MM:SS.mmm in the local zone ($TZ); stdout is only the payload",
            arguments: Self.zones.map(\.tz)
        )
        func eventLines(zone: String) throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let offset = try #require(Self.zones.first { $0.tz == zone }?.secondsFromGMT)
            let local = DateFormatter()
            local.timeZone = TimeZone(secondsFromGMT: offset)
            local.dateFormat = "HH:mm"
            let before = local.string(from: Date())
            let run = try WSCRun.run(["-T", "-x", "hi", "ws://127.0.0.1:\(server.port)/"], environment: ["TZ": zone])
            let after = local.string(from: Date())
            #expect(run.status == 0)
            #expect(run.output == "hi\n")
            let lines = run.standardError.split(separator: "\n")
            #expect(lines.count == 2)
            for line in lines {
                #expect(
                    line.wholeMatch(of: /\d\d:\d\d:\d\d\.\d\d\d (Connected to|Disconnected \(code: 1000).*/) != nil,
                    "\(line)"
                )
            }
            // TZ is honoured, half-hour offsets too (the minute may turn over during the run).
            let first = String(lines.first ?? "")
            #expect(
                first.hasPrefix(before) || first.hasPrefix(after),
                "\(first) is not in \(zone) (\(before)-\(after))"
            )
        }
    }
}
