/// The exit statuses `wsc` documents; scripts rely on them.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    /// A clean close that we started, or that the server started with 1000, 1001 or 1005.
    case success = 0
    /// Any other end: another close code from the server, or an unclean end (1006).
    case closedAbnormally = 1
    /// A usage error: bad option, bad URL (sysexits `EX_USAGE`).
    case usage = 64
    /// Bad data on the command line, e.g. invalid JSON (sysexits `EX_DATAERR`).
    case dataError = 65
    /// An input file can't be read (sysexits `EX_NOINPUT`).
    case noInput = 66
    /// Standard output could not be written (a full disk, an I/O error): what was received
    /// from then on is lost (sysexits `EX_IOERR`). A reader that left (`EPIPE`) is not this.
    case outputFailed = 74
    /// Could not connect: DNS, refused, unreachable, TLS, connect timeout (sysexits `EX_UNAVAILABLE`).
    case unavailable = 69
    /// The server refused the upgrade or broke the handshake rules (sysexits `EX_PROTOCOL`).
    case protocolError = 76
    /// A time limit the user set ran out (as `timeout(1)`).
    case timeout = 124
    /// The terminal hung up (SIGHUP, 128 + 1).
    case hungUp = 129
    /// Interrupted by SIGINT outside the REPL (128 + 2).
    case interrupted = 130
    /// Terminated by SIGTERM (128 + 15).
    case terminated = 143

    /// The status for a connection that ended with this close event.
    public init(closedWith close: CloseInfo) {
        guard close.wasClean else {
            self = .closedAbnormally
            return
        }
        switch close.initiator {
        case .user:
            self = .success
        case .peer:
            switch close.code {
            case .normalClosure, .goingAway, .noStatusReceived: self = .success
            default: self = .closedAbnormally
            }
        case .protocolFailure, .transport:
            self = .closedAbnormally
        }
    }

    /// The status once what the session lost is counted.
    ///
    /// A status that only says how the connection closed (0 or 1) gives way to 74 when
    /// standard output failed, and a success to 65 when input was not sent (a line longer
    /// than `--max-message-size`, text that is not UTF-8). Statuses of their own (a signal,
    /// a time limit, a failed connect) stay.
    public func counting(outputFailed: Bool, inputNotSent: Bool) -> ExitStatus {
        switch self {
        case .success, .closedAbnormally:
            if outputFailed {
                return .outputFailed
            }
            return inputNotSent && self == .success ? .dataError : self
        case .usage, .dataError, .noInput, .outputFailed, .unavailable, .protocolError, .timeout, .hungUp, .interrupted,
            .terminated:
            return self
        }
    }

    /// The status for an error that ended the connection before it opened.
    public init(failedWith error: ConnectionError) {
        switch error.kind {
        case .connect, .tls: self = .unavailable
        case .rejected, .handshake: self = .protocolError
        case .timeout: self = .timeout
        case .input: self = .dataError
        case .protocolViolation: self = .closedAbnormally
        }
    }
}
