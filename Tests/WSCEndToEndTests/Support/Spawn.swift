import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program and waits for it with `waitpid`, without Foundation's `Process`.
///
/// Foundation learns that a child ended through a descriptor the child inherits; a
/// daemon the child leaves behind (a tmux server) keeps it open, and `waitUntilExit()`
/// then never returns. `posix_spawn` + `waitpid` has no such trap.
enum Spawn {
    /// One spawn at a time: the descriptors listed to be closed must be all there are.
    private static let lock = NSLock()

    /// Runs `arguments[0]` (a path) and returns its exit status and, if asked, its output.
    ///
    /// The lock is held while the program starts, not while it runs: a long run (Autobahn)
    /// leaves other tests free to start theirs.
    static func run(
        _ arguments: [String],
        environment: [String: String],
        captureOutput: Bool
    ) throws -> (status: Int32, output: String) {
        var pipeDescriptors: [Int32] = [-1, -1]
        let pid: pid_t
        do {
            self.lock.lock()
            defer { self.lock.unlock() }
            if captureOutput {
                // Close-on-exec: a program started meanwhile by another thread (with Foundation's
                // Process) must not inherit the write end, or reading here waits for it to exit.
                guard pipe(&pipeDescriptors) == 0 else {
                    throw PeerError("pipe failed")
                }
                for descriptor in pipeDescriptors {
                    _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
                }
            }
            pid = try self.spawn(
                arguments,
                environment: environment,
                standardOutput: captureOutput ? pipeDescriptors[1] : nil
            )
        }
        var output: [UInt8] = []
        if captureOutput {
            close(pipeDescriptors[1])
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(pipeDescriptors[0], &buffer, buffer.count)
                if count < 0, errno == EINTR {
                    continue
                }
                guard count > 0 else {
                    break
                }
                output += buffer[0..<count]
            }
            close(pipeDescriptors[0])
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        return (status, String(decoding: output, as: UTF8.self))
    }

    /// `run` on a thread of its own, so that a long run holds none of Swift's few
    /// concurrency threads (two on a two-core machine) while it waits.
    static func runDetached(
        _ arguments: [String],
        environment: [String: String]
    ) async throws -> (status: Int32, output: String) {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(
                    with: Result { try Self.run(arguments, environment: environment, captureOutput: true) }
                )
            }
            thread.start()
        }
    }

    /// Runs a shell command that ends in `exec` of the program to measure.
    ///
    /// Returns its exit status and peak resident memory (KiB), as GNU time reports it.
    /// `wait4` on our own child would not do: `posix_spawn` starts it in this process's
    /// memory, and Linux counts that memory, the test runner's, in the child's peak.
    static func measure(_ command: String, environment: [String: String]) throws -> (status: Int32, peakKiB: Int) {
        let report = NSTemporaryDirectory() + "wsc-peak-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: report) }
        self.lock.lock()
        let pid: pid_t
        do {
            defer { self.lock.unlock() }
            pid = try self.spawn(
                ["/usr/bin/time", "-f", "%M", "-o", report, "/bin/sh", "-c", command],
                environment: environment,
                standardOutput: nil
            )
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        // On failure GNU time writes "Command exited with non-zero status N" first.
        let lines = (try? String(contentsOfFile: report, encoding: .utf8))?.split(separator: "\n") ?? []
        guard let peak = lines.last.flatMap({ Int($0) }) else {
            throw PeerError("no peak memory reported for: \(command)")
        }
        return ((status >> 8) & 0xFF, peak)
    }

    /// Starts the program with only its standard descriptors set up.
    ///
    /// Stdin and stderr are on /dev/null, stdout on the descriptor given (else /dev/null); it gets
    /// none of this process's other descriptors.
    private static func spawn(
        _ arguments: [String],
        environment: [String: String],
        standardOutput: Int32?
    ) throws -> pid_t {
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        posix_spawn_file_actions_addopen(&fileActions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&fileActions, 2, "/dev/null", O_WRONLY, 0)
        if let standardOutput {
            posix_spawn_file_actions_adddup2(&fileActions, standardOutput, 1)
        } else {
            posix_spawn_file_actions_addopen(&fileActions, 1, "/dev/null", O_WRONLY, 0)
        }
        // Nothing else of ours may leak into the child: a tmux server outlives it.
        for descriptor in Self.openDescriptors() where descriptor > 2 {
            posix_spawn_file_actions_addclose(&fileActions, descriptor)
        }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        // The calling thread may block signals (Swift's runtime threads do), and the child
        // would inherit that mask: a shell script's `kill` of its own child would not land.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &fileActions, &attributes, argv, envp)
        guard result == 0 else {
            throw PeerError("cannot run \(arguments[0]): \(String(cString: strerror(result)))")
        }
        return pid
    }

    /// The descriptors open in this process (from /proc/self/fd).
    private static func openDescriptors() -> [Int32] {
        guard let directory = opendir("/proc/self/fd") else {
            return []
        }
        defer { closedir(directory) }
        let own = dirfd(directory)
        var descriptors: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let descriptor = Int32(name), descriptor != own {
                descriptors.append(descriptor)
            }
        }
        return descriptors
    }
}
