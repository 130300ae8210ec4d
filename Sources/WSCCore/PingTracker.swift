/// Matches pongs to the pings we sent, to measure round-trip times.
///
/// Time is passed in, so it is tested without a clock.
public struct PingTracker: Sendable {
    private var outstanding: [(payload: [UInt8], sentAt: ContinuousClock.Instant)] = []
    /// The round-trip time of the last ping answered.
    public private(set) var lastRoundTrip: Duration?
    /// How many unanswered pings are remembered.
    public static let limit = 64

    public init() {}

    /// We sent a ping with this payload at this time.
    public mutating func pingSent(_ payload: [UInt8], at instant: ContinuousClock.Instant) {
        if self.outstanding.count == Self.limit {
            self.outstanding.removeFirst()
        }
        self.outstanding.append((payload, instant))
    }

    /// A pong with this payload arrived at this time; returns the round trip if it answers a ping of ours.
    ///
    /// A pong answers the oldest outstanding ping with the same payload; pings before it
    /// that were never answered are forgotten.
    public mutating func pongReceived(_ payload: [UInt8], at instant: ContinuousClock.Instant) -> Duration? {
        guard let index = self.outstanding.firstIndex(where: { $0.payload == payload }) else {
            return nil
        }
        let roundTrip = self.outstanding[index].sentAt.duration(to: instant)
        self.outstanding.removeFirst(index + 1)
        self.lastRoundTrip = roundTrip
        return roundTrip
    }
}
