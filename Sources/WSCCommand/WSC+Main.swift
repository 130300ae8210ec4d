import ArgumentParser
import WSCCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension WSC {
    /// Parses the command line, runs the session and exits with its status.
    ///
    /// ArgumentParser's `main()` would end every session by throwing `ExitCode`, and its error
    /// path lays out the whole usage text before it reads the code back: measurable on a run
    /// that sends one message. Here a session's status goes straight to `exit`; `--help`,
    /// `--version`, completion scripts and usage errors still go through ArgumentParser's
    /// `exit(withError:)`, so they print and exit exactly as before.
    public static func runAsRoot() async -> Never {
        do {
            var command = try Self.parseAsRoot()
            guard let wsc = command as? WSC else {
                try command.run()
                Self.exit()
            }
            terminate(with: try await wsc.runSession())
        } catch {
            Self.exit(withError: error)
        }
    }
}

/// Ends the process with a session's status (the C library's `exit`, which `WSC.exit` hides).
private func terminate(with status: ExitStatus) -> Never {
    exit(status.rawValue)
}
