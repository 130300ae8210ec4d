/// The session's timers, each posting into the session's mailbox when it fires.
///
/// A timer is a child task of ``run(posting:)``, which is a child of the session's task group,
/// so none outlives the session. Arming a timer again or disarming it bumps its generation:
/// a firing already on its way is recognised as stale (``isCurrent(_:generation:)``) and
/// dropped, so the session never acts on a timer it no longer wants.
@MainActor
final class SessionTimers {
    /// The session's timers.
    enum Timer: Hashable, Sendable {
        /// `--timeout`.
        case timeLimit
        /// The next reconnection attempt.
        case attempt
        /// The idle check after the end of input.
        case idleCheck
        /// `-w`: the close after the end of input.
        case closeAfterInput
        /// At the prompt: saying that the server has not answered the close.
        case closingNotice
    }

    /// A timer that fired, with the generation it was armed in.
    struct Firing: Hashable, Sendable {
        let timer: Timer
        let generation: Int
    }

    private struct Request: Sendable {
        let firing: Firing
        let deadline: ContinuousClock.Instant
    }

    /// The session's start: times are durations since then (see ``SessionStateMachine/Instant``).
    let origin = ContinuousClock.now
    private var generations: [Timer: Int] = [:]
    private let requests: AsyncStream<Request>
    private let requestContinuation: AsyncStream<Request>.Continuation

    init() {
        (self.requests, self.requestContinuation) = AsyncStream.makeStream(of: Request.self)
    }

    /// The time now, since the session's start.
    var now: Duration { self.origin.duration(to: .now) }

    /// Arms `timer` for `deadline` (since the session's start), replacing an earlier arming of it.
    func arm(_ timer: Timer, at deadline: Duration) {
        let generation = (self.generations[timer] ?? 0) + 1
        self.generations[timer] = generation
        self.requestContinuation.yield(
            Request(firing: Firing(timer: timer, generation: generation), deadline: self.origin.advanced(by: deadline))
        )
    }

    /// Disarms `timer`: a firing of it on its way is stale.
    func disarm(_ timer: Timer) {
        self.generations[timer] = (self.generations[timer] ?? 0) + 1
    }

    /// Whether `firing` is the timer's latest arming (then it is disarmed: it fired).
    func isCurrent(_ firing: Firing) -> Bool {
        guard self.generations[firing.timer] == firing.generation else {
            return false
        }
        self.generations[firing.timer] = firing.generation + 1
        return true
    }

    /// Runs the timers until cancelled, posting each firing with `post`.
    func run(posting post: @escaping @Sendable (Firing) -> Void) async {
        let requests = self.requests
        await withDiscardingTaskGroup { group in
            for await request in requests {
                let sleep: @MainActor @Sendable () async -> Void = {
                    do {
                        try await Task.sleep(until: request.deadline, clock: .continuous)
                        post(request.firing)
                    } catch {
                        // Cancelled: the session is over.
                    }
                }
                group.addTask(operation: sleep)
            }
            group.cancelAll()
        }
    }
}
