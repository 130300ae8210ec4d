/// `--count` and `--expect` together: how many messages, or which, end a session.
///
/// Counts carry over from one connection to the next (`--reconnect`), and over every client
/// of `--listen`.
public struct ReceiveLimit {
    /// The number of messages that ends the session (`--count`).
    public let count: Int?
    /// The patterns still to match (`--expect`).
    public private(set) var expectations: ExpectationTracker?
    /// Messages counted so far (the ones after the limit are not).
    public private(set) var received = 0
    /// Whether the limit was reached: what still arrives is not shown.
    public private(set) var isReached = false

    /// What to do with a message.
    public enum Verdict: Hashable, Sendable {
        /// Show it.
        case show
        /// Show it: it reached the limit, so the session ends.
        case showAndStop
        /// Do not show it: the limit was reached before it.
        case ignore
    }

    /// A limit of `count` messages or of the patterns all matched; nil when neither is given.
    public init?(count: Int?, expectations: ExpectationTracker?) {
        guard count != nil || expectations != nil else {
            return nil
        }
        self.count = count
        self.expectations = expectations
    }

    /// A message arrived.
    public mutating func messageReceived(_ message: Message) -> Verdict {
        guard !self.isReached else {
            return .ignore
        }
        self.received += 1
        let counted = self.count.map { self.received >= $0 } ?? false
        let expected = self.expectations?.received(message) ?? false
        guard counted || expected else {
            return .show
        }
        self.isReached = true
        return .showAndStop
    }
}
