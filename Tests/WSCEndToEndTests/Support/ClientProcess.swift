import Foundation

/// A `wsc` client running for a test, fed through its standard input as the test goes.
final class ClientProcess: @unchecked Sendable {
    let process: Process
    private let input: FileHandle
    private let output: DataCollector
    private let errors: DataCollector

    private init(process: Process, input: FileHandle, output: DataCollector, errors: DataCollector) {
        self.process = process
        self.input = input
        self.output = output
        self.errors = errors
    }

    /// Starts `wsc` with these arguments, its standard streams on pipes.
    static func start(_ arguments: [String]) throws -> ClientProcess {
        let (process, stdin, stdout, stderr) = try PipedProcess.start(Paths.wsc, arguments)
        return ClientProcess(
            process: process,
            input: stdin.fileHandleForWriting,
            output: DataCollector(stdout.fileHandleForReading),
            errors: DataCollector(stderr.fileHandleForReading)
        )
    }

    var standardOutput: String { String(decoding: self.output.snapshot, as: UTF8.self) }
    var standardError: String { String(decoding: self.errors.snapshot, as: UTF8.self) }

    /// Writes to the client's standard input.
    func write(_ text: String) {
        self.input.write(Data(text.utf8))
    }

    /// Waits until what the client printed (on `stream`) satisfies `condition`.
    func wait(
        for what: String,
        onStandardError: Bool = false,
        timeout: TimeInterval = 15,
        until condition: (String) -> Bool
    ) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(onStandardError ? self.standardError : self.standardOutput) {
                return
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw PeerError("wsc never printed \(what); stdout: \(self.standardOutput); stderr: \(self.standardError)")
    }

    /// Closes standard input and waits for the exit (killing it after `timeout`); returns its status.
    func finish(timeout: TimeInterval = 15) -> Int32 {
        try? self.input.close()
        _ = self.process.exits(within: timeout)
        _ = self.output.finish()
        _ = self.errors.finish()
        return self.process.terminationStatus
    }

    /// Sends `signal` and waits for the exit (a hang guard kills it after `timeout` and throws).
    func signalled(_ signal: Int32, timeout: TimeInterval = 15) throws -> Int32 {
        kill(self.process.processIdentifier, signal)
        guard self.process.exits(within: timeout) else {
            throw PeerError("wsc did not exit within \(timeout) s of signal \(signal); stderr: \(self.standardError)")
        }
        try? self.input.close()
        _ = self.output.finish()
        _ = self.errors.finish()
        return self.process.terminationStatus
    }

    deinit {
        if self.process.isRunning {
            kill(self.process.processIdentifier, SIGKILL)
        }
    }
}
