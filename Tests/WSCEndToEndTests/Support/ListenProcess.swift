import Foundation

/// `wsc --listen` running for a test, with its standard input open for writing.
///
/// It is found by the port it announces, and ended by a signal or its own decision.
final class ListenProcess: @unchecked Sendable {
    let process: Process
    let port: Int
    private let input: FileHandle
    private let output: DataCollector
    private let errors: DataCollector
    /// What was read of the announcing stream before the collector took over.
    private let announcement: Data
    private let announcedOnStandardOutput: Bool

    private init(
        process: Process,
        port: Int,
        input: FileHandle,
        output: DataCollector,
        errors: DataCollector,
        announcement: Data,
        onStandardOutput: Bool
    ) {
        self.process = process
        self.port = port
        self.input = input
        self.output = output
        self.errors = errors
        self.announcement = announcement
        self.announcedOnStandardOutput = onStandardOutput
    }

    /// Starts `wsc --listen 0` (or `listen`) with these extra arguments and waits until it listens.
    ///
    /// It waits for `Listening on …` (on standard error), or the `listening` event with `--ndjson`
    /// (on standard output).
    static func start(_ arguments: [String], listen: String = "0") throws -> ListenProcess {
        let (process, stdin, stdout, stderr) = try PipedProcess.start(Paths.wsc, ["--listen", listen] + arguments)
        let onStandardOutput = arguments.contains("--ndjson")
        let announcing = onStandardOutput ? stdout : stderr
        let announcement = announcing.fileHandleForReading.readThroughFirstLine()
        let text = String(decoding: announcement, as: UTF8.self)
        let port: Int
        if listen.hasPrefix("unix:"), text.hasPrefix("Listening on ws+unix://") {
            port = 0
        } else if let range = text.range(of: #"127\.0\.0\.1:(\d+)|\]:(\d+)"#, options: .regularExpression),
            let number = Int(text[range].split(separator: ":").last ?? "")
        {
            port = number
        } else {
            process.terminate()
            throw PeerError("wsc --listen did not announce its port (said: \(text))")
        }
        return ListenProcess(
            process: process,
            port: port,
            input: stdin.fileHandleForWriting,
            output: DataCollector(stdout.fileHandleForReading),
            errors: DataCollector(stderr.fileHandleForReading),
            announcement: announcement,
            onStandardOutput: onStandardOutput
        )
    }

    var url: String { "ws://127.0.0.1:\(self.port)/" }

    /// Writes to the server's standard input.
    func write(_ text: String) {
        self.input.write(Data(text.utf8))
    }

    /// Writes bytes to the server's standard input.
    func write(_ data: Data) {
        self.input.write(data)
    }

    func closeInput() {
        try? self.input.close()
    }

    /// Waits until the server's standard error contains `text` (an event it printed).
    func waitForStandardError(containing text: String, timeout: TimeInterval = 10) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if String(decoding: self.errors.snapshot, as: UTF8.self).contains(text) {
                return
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw PeerError("wsc --listen did not print '\(text)' within \(timeout) s")
    }

    /// Sends a signal (SIGINT, SIGTERM) to the server.
    func send(_ signalNumber: Int32) {
        kill(self.process.processIdentifier, signalNumber)
    }

    /// Waits for the server to exit (killing it after `timeout`); returns its status and output.
    func finish(timeout: TimeInterval = 15) throws -> (status: Int32, output: String, errors: String) {
        guard self.process.exits(within: timeout) else {
            throw PeerError("wsc --listen did not exit within \(timeout) s")
        }
        self.closeInput()
        var output = self.output.finish()
        var errors = self.errors.finish()
        if self.announcedOnStandardOutput {
            output = self.announcement + output
        } else {
            errors = self.announcement + errors
        }
        return (
            self.process.terminationStatus, String(decoding: output, as: UTF8.self),
            String(decoding: errors, as: UTF8.self)
        )
    }

    deinit {
        if self.process.isRunning {
            kill(self.process.processIdentifier, SIGKILL)
        }
    }
}

extension Process {
    /// Waits for the process to exit, killing it after `timeout`; returns whether it exited by itself.
    func exits(within timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while self.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        let exited = !self.isRunning
        if !exited {
            kill(self.processIdentifier, SIGKILL)
        }
        self.waitUntilExit()
        return exited
    }
}

/// The Python `websockets` client (Peers/websockets_client.py) in one of its modes.
func pythonClient(_ arguments: [String], timeout: TimeInterval = 30) throws -> WSCRun {
    try WSCRun.run([Paths.peers + "/websockets_client.py"] + arguments, timeout: timeout, executable: Paths.python)
}

/// Runs blocking work (a process to its end) on a thread of its own.
///
/// That way it does not hold one of the few threads async tests share while others wait on it.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try body() })
        }
    }
}
