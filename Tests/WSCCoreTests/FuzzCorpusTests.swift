import Foundation
import Testing
import WSCFuzzing

/// The fuzzing corpus in `Fuzz/corpus`, replayed through every fuzz target.
///
/// `make fuzz` explores further under libFuzzer; here every kept input (the seeds, and
/// what libFuzzer found that reached new code) must still pass: no trap, no broken
/// invariant.
@Suite("Fuzzing corpus replay")
struct FuzzCorpusTests {
    static let corpus: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 {
            url.deleteLastPathComponent()
        }
        return url.path + "/Fuzz/corpus"
    }()

    @Test("every input of the target's corpus", arguments: FuzzTarget.allCases)
    func replay(target: FuzzTarget) throws {
        let directory = Self.corpus + "/" + target.rawValue
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(names.count >= 5)
        for name in names {
            target.run(Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))))
        }
    }
}
