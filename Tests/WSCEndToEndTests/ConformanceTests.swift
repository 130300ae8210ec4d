import Foundation
import Testing

extension EndToEnd {
    /// Autobahn|Testsuite's client cases, run against the `wsc` binary in `--echo` mode.
    ///
    /// The fast part of the suite runs here (framing, pings, reserved bits, opcodes,
    /// fragmentation, UTF-8, close handling, auto-fragmentation: 1–7 and 10); `make
    /// conformance` runs all of 1–13, compression and the big-message cases included.
    @Suite("Autobahn|Testsuite client cases 1–7 and 10", .timeLimit(.minutes(5)))
    struct ConformanceTests {
        /// The results the suite allows: anything else (FAILED, UNIMPLEMENTED, …) fails.
        static let passing: Set<String> = ["OK", "NON-STRICT", "INFORMATIONAL"]

        @Test("every case OK, NON-STRICT or INFORMATIONAL; none FAILED")
        func fastSubset() throws {
            let runner = Paths.autobahn + "/run-client-suite.sh"
            try #require(FileManager.default.isExecutableFile(atPath: runner), "Autobahn|Testsuite is missing: run make test-deps")
            let reports = try Paths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: reports) }
            let port = try LoopbackPort.free()
            var environment = ProcessInfo.processInfo.environment
            environment["WSTEST"] = Paths.autobahn + "/wstest"
            let run = try Spawn.run(
                [
                    "/bin/bash", runner, "-a", "wsc", "-p", String(port), "-o", reports, "-t", "30",
                    "-c", "1.*,2.*,3.*,4.*,5.*,6.*,7.*,10.*",
                    "--", Paths.wsc, "--echo", "{url}",
                ],
                environment: environment,
                captureOutput: true
            )
            let results = try Self.results(in: reports + "/index.json")
            let failing = results.filter { !Self.passing.contains($0.value.behavior) || !Self.passing.contains($0.value.close) }
            #expect(failing.isEmpty, "not passing: \(failing.keys.sorted())\n\(run.output)")
            #expect(run.status == 0, "\(run.output)")
            // The whole subset ran: 247 cases in this version of the suite (25.10.1).
            #expect(results.count == 247, "\(run.output)")
            #expect(results.values.filter { $0.behavior == "OK" }.count >= 240)
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
}
