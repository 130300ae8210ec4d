#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Facts about the process's standard streams and environment that decide how to print.
public enum TerminalDetection {
    /// Whether standard input is a terminal.
    public static var standardInputIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }
    /// Whether standard output is a terminal.
    public static var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    /// Whether standard error is a terminal.
    public static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Whether the environment asks for no colour (`NO_COLOR` set and not empty, or `TERM=dumb`).
    public static var environmentForbidsColor: Bool {
        if let value = getenv("NO_COLOR"), value.pointee != 0 {
            return true
        }
        if let term = getenv("TERM"), String(cString: term) == "dumb" {
            return true
        }
        return false
    }
}
