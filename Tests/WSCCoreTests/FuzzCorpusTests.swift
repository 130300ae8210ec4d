import Foundation
import Testing
import WSCFuzzing

/// The fuzzing corpus in `Fuzz/corpus`, replayed through every fuzz target.
///
/// `make fuzz` explores further under libFuzzer; here every kept input (the seeds, and
/// what libFuzzer found that reached new code) must still pass: no trap, no broken
/// invariant. Each input is a test argument of its own, named `TARGET/FILE`. The inputs
/// run in `wsc-fuzz` child processes (built beside this bundle), so an input that traps
/// fails its own test case, names itself, and leaves the rest of the run going.
@Suite("Fuzzing corpus replay")
struct FuzzCorpusTests {
    static let corpus: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 {
            url.deleteLastPathComponent()
        }
        return url.path + "/Fuzz/corpus"
    }()

    /// One file of one target's corpus.
    struct Input: Sendable, CustomTestStringConvertible {
        var target: FuzzTarget
        var name: String
        var path: String { FuzzCorpusTests.corpus + "/" + self.target.rawValue + "/" + self.name }
        var testDescription: String { self.target.rawValue + "/" + self.name }
    }

    /// Every input of every target, in a stable order.
    static let inputs: [Input] = FuzzTarget.allCases.flatMap { target in
        let names = (try? FileManager.default.contentsOfDirectory(atPath: corpus + "/" + target.rawValue)) ?? []
        return names.sorted().map { Input(target: target, name: $0) }
    }

    /// What replaying each input in a child process showed: nil for a pass, else what the
    /// replayer printed when it stopped on that input. Filled once, on first use.
    static let failures: [String: String?] = {
        var failures: [String: String?] = [:]
        for target in FuzzTarget.allCases {
            var remaining = inputs.filter { $0.target == target }.map(\.path)
            while !remaining.isEmpty {
                let (passed, output) = replay(target, remaining)
                for path in remaining.prefix(passed) {
                    failures[path] = .some(nil)
                }
                remaining.removeFirst(passed)
                // A replay that stopped early stopped on the first input it did not pass.
                if let culprit = remaining.first {
                    failures[culprit] = .some(output)
                    remaining.removeFirst()
                }
            }
        }
        return failures
    }()

    /// Runs `wsc-fuzz TARGET PATH...`; returns how many inputs it passed, and its output.
    static func replay(_ target: FuzzTarget, _ paths: [String]) -> (passed: Int, output: String) {
        let process = Process()
        let executable =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        process.executableURL = URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent(
            "wsc-fuzz"
        )
        process.arguments = [target.rawValue] + paths
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
        } catch {
            return (0, "cannot run \(process.executableURL?.path ?? "wsc-fuzz"): \(error) (build it: swift build)")
        }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        let passed = lines.filter { $0.hasPrefix("passed ") }.count
        let clean = process.terminationReason == .exit && process.terminationStatus == 0
        let rest = lines.filter { !$0.hasPrefix("passed ") }.joined(separator: "\n")
        return (
            clean ? paths.count : min(passed, paths.count - 1),
            rest + "\n(\(process.terminationReason == .exit ? "exit" : "signal") \(process.terminationStatus))"
        )
    }

    @Test("every corpus has inputs", arguments: FuzzTarget.allCases)
    func corpusIsThere(target: FuzzTarget) {
        #expect(Self.inputs.filter { $0.target == target }.count >= 5)
    }

    @Test("the input replays without a trap", arguments: Self.inputs)
    func replay(input: Input) {
        let failure = Self.failures[input.path]
        #expect(failure != nil, "not replayed")
        if let failure, let output = failure {
            Issue.record("wsc-fuzz \(input.target.rawValue) \(input.path) stopped:\n\(output)")
        }
    }
}
