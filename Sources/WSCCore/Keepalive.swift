/// Decides the keepalive pings of `--ping-interval` and `--ping-timeout`.
///
/// Every interval a ping goes out, unless the last one is still unanswered; a ping still
/// unanswered when its own timeout timer fires fails the connection. The timers are the
/// caller's, so this holds no clock and is tested without one.
public struct Keepalive: Sendable {
    /// How often a ping is sent.
    public let interval: Duration
    /// How long a ping may wait for its pong.
    public let timeout: Duration
    /// The ping waiting for its pong, if any.
    private var outstanding: (id: Int, payload: [UInt8])?
    private var sent = 0

    public init(interval: Duration, timeout: Duration) {
        self.interval = interval
        self.timeout = timeout
    }

    /// What to do when a timer fires.
    public enum Action: Hashable, Sendable {
        /// Nothing now.
        case none
        /// Send a ping with this payload, and start its timeout timer, which reports `id`.
        case sendPing(id: Int, payload: [UInt8])
        /// A ping was not answered within the timeout: fail the connection.
        case timedOut
    }

    /// The interval timer fired: send a ping unless one is still unanswered.
    public mutating func intervalElapsed() -> Action {
        guard self.outstanding == nil else {
            return .none
        }
        self.sent += 1
        let payload = Array("wsc keepalive \(self.sent)".utf8)
        self.outstanding = (self.sent, payload)
        return .sendPing(id: self.sent, payload: payload)
    }

    /// The timeout timer of ping `id` fired: timed out if that ping is still unanswered.
    public func timeoutElapsed(forPing id: Int) -> Action {
        self.outstanding?.id == id ? .timedOut : .none
    }

    /// A pong arrived; true when it answers the outstanding keepalive ping.
    public mutating func pongReceived(_ payload: [UInt8]) -> Bool {
        guard let outstanding = self.outstanding, outstanding.payload == payload else {
            return false
        }
        self.outstanding = nil
        return true
    }
}
