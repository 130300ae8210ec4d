/// When to stop reading the socket and when to start again.
///
/// A pure value. Reading pauses while the consumer of events (a terminal, a pipe) is
/// far behind, or, with `--echo`, while echoes cannot be written because the peer does
/// not read them; it resumes once both have caught up. The pause and the resume are
/// apart (a half of the limit) so that reading does not flap.
public struct ReadPacing: Sendable {
    /// How many messages may wait for the consumer before the socket is no longer read.
    public static var unacknowledgedLimit: Int { 1024 }

    /// What to do about reading.
    public enum Action: Hashable, Sendable {
        case none
        case pauseReading
        case resumeReading
    }

    /// Whether echoes count (`--echo`).
    public let echoes: Bool
    /// Messages emitted that the consumer has not yet reported as handled.
    public private(set) var unacknowledged = 0
    /// Whether reading is paused.
    public private(set) var isPaused = false

    public init(echoes: Bool) {
        self.echoes = echoes
    }

    /// A message went to the consumer; `echoesFit` says whether echoes can be written now.
    public mutating func messageDelivered(echoesFit: Bool) -> Action {
        self.unacknowledged += 1
        return self.decide(echoesFit: echoesFit)
    }

    /// The consumer handled this many messages.
    public mutating func messagesHandled(_ count: Int, echoesFit: Bool) -> Action {
        self.unacknowledged = max(0, self.unacknowledged - count)
        return self.decide(echoesFit: echoesFit)
    }

    /// Whether echoes fit changed (writability, or the queue moved).
    public mutating func roomChanged(echoesFit: Bool) -> Action {
        self.decide(echoesFit: echoesFit)
    }

    private mutating func decide(echoesFit: Bool) -> Action {
        let echoesWait = self.echoes && !echoesFit
        if self.isPaused {
            guard self.unacknowledged < Self.unacknowledgedLimit / 2, !echoesWait else {
                return .none
            }
            self.isPaused = false
            return .resumeReading
        }
        guard self.unacknowledged >= Self.unacknowledgedLimit || echoesWait else {
            return .none
        }
        self.isPaused = true
        return .pauseReading
    }
}
