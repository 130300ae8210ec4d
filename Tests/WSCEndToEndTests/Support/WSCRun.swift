import Foundation

/// The result of running `wsc` with pipes.
struct WSCRun {
    let status: Int32
    let standardOutput: Data
    let standardError: String

    var output: String { String(decoding: self.standardOutput, as: UTF8.self) }

    /// Runs `wsc` (or another program) with these arguments, this standard input, and a time limit.
    static func run(
        _ arguments: [String],
        input: Data = Data(),
        environment: [String: String] = [:],
        timeout: TimeInterval = 30,
        executable: String = Paths.wsc
    ) throws -> WSCRun {
        let (process, stdin, stdout, stderr) = try PipedProcess.start(executable, arguments, environment: environment)
        let collectedOutput = DataCollector(stdout.fileHandleForReading)
        let collectedError = DataCollector(stderr.fileHandleForReading)
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw PeerError("\(executable) \(arguments) did not finish within \(timeout) s")
        }
        process.waitUntilExit()
        return WSCRun(
            status: process.terminationStatus,
            standardOutput: collectedOutput.finish(),
            standardError: String(decoding: collectedError.finish(), as: UTF8.self)
        )
    }
}

/// Starts programs with all three standard streams on pipes.
enum PipedProcess {
    /// Runs `executable` with a test's environment: this process's, without proxy
    /// variables (proxies come only from the test itself), plus `environment`.
    static func start(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:]
    ) throws -> (process: Process, input: Pipe, output: Pipe, errors: Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for name in ["http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"] {
            env[name] = nil
        }
        env.merge(environment) { $1 }
        process.environment = env
        let (input, output, errors) = (Pipe(), Pipe(), Pipe())
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        return (process, input, output, errors)
    }
}

/// Reads a pipe to its end on a thread of its own; what arrived so far can be looked at.
final class DataCollector: @unchecked Sendable {
    private var data = Data()
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread {
            while case let chunk = handle.availableData, !chunk.isEmpty {
                self.lock.withLock { self.data.append(chunk) }
            }
            self.done.signal()
        }
    }

    /// What was read so far.
    var snapshot: Data {
        self.lock.withLock { self.data }
    }

    /// Waits for the end of the pipe; returns everything read.
    func finish() -> Data {
        self.done.wait()
        return self.snapshot
    }
}
