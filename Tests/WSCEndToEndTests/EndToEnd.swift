import Foundation
import Testing

/// Every end-to-end suite, run one test at a time: they start processes (servers, tmux,
/// wsc), and a process started by one test must not inherit another's pipes.
///
/// They run the binary `Paths.wsc` names: `make test` gives them the release build, as
/// `make release` makes it and users run it (`WSC_BINARY`); a bare `swift test`, the
/// debug build beside the test bundle.
@Suite(.serialized)
enum EndToEnd {}

extension EndToEnd {
    /// Names the binary under test in the run's output, and checks that it runs.
    @Suite("the binary under test")
    struct BinaryUnderTest {
        @Test("is the one WSC_BINARY names (else the debug build), and answers --version")
        func named() throws {
            let size = (try? FileManager.default.attributesOfItem(atPath: Paths.wsc)[.size] as? NSNumber)?.intValue ?? 0
            print("end-to-end tests run \(Paths.wsc) (\(size) bytes)")
            if let named = ProcessInfo.processInfo.environment["WSC_BINARY"] {
                #expect(Paths.wsc == named)
            }
            #expect(FileManager.default.isExecutableFile(atPath: Paths.wsc))
            let run = try WSCRun.run(["--version"])
            #expect(run.status == 0)
            #expect(!run.output.isEmpty)
        }
    }
}
