/// How often to ping, and how long to wait for each pong.
public struct KeepaliveSettings: Hashable, Sendable {
    /// How often a ping is sent (`--ping-interval`).
    public var interval: Duration
    /// How long a ping may wait for its pong (`--ping-timeout`).
    public var timeout: Duration

    public init(interval: Duration, timeout: Duration) {
        self.interval = interval
        self.timeout = timeout
    }
}
