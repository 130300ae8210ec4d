import Foundation
import Testing

/// Autobahn|Testsuite's whole client suite, cases 1–13, run against the `wsc` binary in `--echo` mode.
///
/// Framing, pings, reserved bits, opcodes, fragmentation, UTF-8, close handling, limits,
/// auto-fragmentation and permessage-deflate (which wsc offers by default). The suite
/// runs in two lanes, each its own fuzzing server on a port of its own, beside the other
/// tests rather than after them: it is outside the serialized `EndToEnd` suite because it
/// starts nothing that another test could inherit (its spawn closes every other descriptor),
/// and it waits on a thread of its own. Compression (12, 13) is most of its time: about
/// 1,000 messages of up to 128 KiB for each of its 216 cases.
@Suite("Autobahn|Testsuite client cases 1–13", .timeLimit(.minutes(35)))
struct ConformanceTests {
    /// The results the suite allows: anything else (NON-STRICT, FAILED, UNIMPLEMENTED, …)
    /// fails. INFORMATIONAL records what a client does where the RFC leaves the choice
    /// (7.1.6, 7.13.x); NON-STRICT, which the 6.4.x cases gave before UTF-8 was checked
    /// as it arrives, is no longer allowed.
    static let passing: Set<String> = ["OK", "INFORMATIONAL"]

    /// Two lanes of about the same length: compression without and with context takeover.
    static let lanes = ["1.*,2.*,3.*,4.*,5.*,6.*,7.*,10.*,12.*", "9.*,13.*"]

    /// The cases of each group in this version of the suite (25.10.1).
    static let expectedCounts: [String: Int] = [
        "1": 16, "2": 11, "3": 7, "4": 10, "5": 20, "6": 145, "7": 37, "9": 54, "10": 1, "12": 90, "13": 126,
    ]

    @Test("every case OK or INFORMATIONAL; none NON-STRICT, FAILED or UNIMPLEMENTED", arguments: Self.lanes)
    func lane(cases: String) async throws {
        let runner = Paths.autobahn + "/run-client-suite.sh"
        try #require(
            FileManager.default.isExecutableFile(atPath: runner),
            "Autobahn|Testsuite is missing: run make test-deps"
        )
        let reports = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: reports) }
        let port = try LoopbackPort.free()
        var environment = ProcessInfo.processInfo.environment
        environment["WSTEST"] = Paths.autobahn + "/wstest"
        print("Autobahn|Testsuite cases \(cases) against \(Paths.wsc)")
        // -t is the per-case hang guard; the longest cases take about 30 s on an idle machine.
        let run = try await Spawn.runDetached(
            [
                "/bin/bash", runner, "-a", "wsc", "-p", String(port), "-o", reports, "-t", "480", "-c", cases, "--",
                Paths.wsc, "--echo", "{url}",
            ],
            environment: environment
        )
        let results = try Self.results(in: reports + "/index.json")
        let failing = results.filter {
            !Self.passing.contains($0.value.behavior) || !Self.passing.contains($0.value.close)
        }
        #expect(failing.isEmpty, "not passing: \(failing.keys.sorted())\n\(run.output)")
        #expect(run.status == 0, "\(run.output)")
        // Every case of the lane's groups ran.
        for group in cases.split(separator: ",").map({ String($0.dropLast(2)) }) {
            let count = results.keys.filter { $0.hasPrefix(group + ".") }.count
            #expect(count == Self.expectedCounts[group], "group \(group): \(count) cases ran\n\(run.output)")
        }
        let summary = Dictionary(grouping: results.values, by: \.behavior).mapValues(\.count)
        print("Autobahn|Testsuite cases \(cases): \(results.count) cases, \(summary.sorted { $0.key < $1.key })")
    }

    /// Each case's behaviour and close behaviour, from the report index the server writes.
    static func results(in path: String) throws -> [String: (behavior: String, close: String)] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let index = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [String: [String: Any]]])
        let cases = try #require(index["wsc"], "no results for agent wsc in \(path)")
        return cases.compactMapValues { report in
            guard let behavior = report["behavior"] as? String, let close = report["behaviorClose"] as? String else {
                return nil
            }
            return (behavior, close)
        }
    }
}
