/// Whether and when to connect again after a connection ended (`--reconnect`).
///
/// A pure value: exponential backoff with jitter, the random draw passed in. Attempt *n*
/// waits between half and all of `initialDelay × 2^(n−1)`, capped at `maximumDelay`; the
/// count starts over after a connection that stayed open for `stableDuration`, so a server
/// that accepts and drops at once is not hammered.
public struct Reconnection: Hashable, Sendable {
    /// The first attempt's delay, before jitter.
    public var initialDelay: Duration
    /// The longest delay between attempts (`--reconnect-max`).
    public var maximumDelay: Duration
    /// How long a connection must have been open for the backoff to start over.
    public var stableDuration: Duration = .seconds(10)
    /// Attempts made since the last connection that stayed open.
    public private(set) var attempt = 0

    /// What to do after a connection ended.
    public enum Decision: Hashable, Sendable {
        /// Connect again after this delay; this is attempt number `attempt` in a row.
        case reconnect(attempt: Int, after: Duration)
        /// Stop: the ending was asked for, clean, or will not change by trying again.
        case stop
    }

    public init(initialDelay: Duration = .seconds(1), maximumDelay: Duration = .seconds(30)) {
        self.initialDelay = initialDelay
        self.maximumDelay = max(maximumDelay, .zero)
    }

    /// A connection ended with `close`, after `failure` if it never opened.
    ///
    /// `openFor` is how long it was open (nil: it never opened); `jitter` is a random number
    /// from 0 up to 1.
    public mutating func connectionEnded(
        _ close: CloseInfo,
        failure: ConnectionError?,
        openFor: Duration? = nil,
        jitter: Double
    ) -> Decision {
        guard Self.isWorthRetrying(close, failure: failure) else {
            return .stop
        }
        if let openFor, openFor >= self.stableDuration {
            self.attempt = 0
        }
        self.attempt += 1
        let doublings = min(self.attempt - 1, 30)
        let ceiling = min(self.initialDelay * (1 << doublings), self.maximumDelay)
        let jitter = min(max(jitter, 0), 1)
        return .reconnect(attempt: self.attempt, after: ceiling / 2 + ceiling * (jitter / 2))
    }

    /// Whether trying again may help.
    ///
    /// It may after an unclean close (a dropped connection, a keepalive timeout), after a
    /// close with 1001 (going away: a server shutting down), 1012 (service restart) or 1013
    /// (try again later), and after a failure to
    /// connect: refused, unreachable, DNS, a timeout, or an upgrade answered with a 5xx,
    /// 408 or 429. It does not after a close the user asked for, a clean close, a TLS
    /// failure (a certificate will not fix itself), a broken handshake, or another refusal.
    public static func isWorthRetrying(_ close: CloseInfo, failure: ConnectionError?) -> Bool {
        if let failure {
            switch failure.kind {
            case .connect, .timeout:
                return true
            case .rejected(let rejection):
                return rejection.status >= 500 || rejection.status == 408 || rejection.status == 429
            case .tls, .handshake, .protocolViolation, .input:
                return false
            }
        }
        switch close.initiator {
        case .user:
            return false
        case .peer, .protocolFailure, .transport:
            return !close.wasClean || [.goingAway, .serviceRestart, .tryAgainLater].contains(close.code)
        }
    }
}
