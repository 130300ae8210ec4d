import Synchronization

/// One wait of an input source: over when its event comes (a connection's room, say) or
/// when the session lets it go, whichever is first; the other is then ignored.
///
/// The event resumes the waiter from the thread it comes on, without a hop through the
/// session's mailbox: a source that waits for room between every batch of input pays one
/// wake-up per batch, not two.
final class HeldWait: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<Bool, Never>)
        case over(Bool)
    }

    private let state = Mutex(State.empty)

    /// Waits until the wait is over: true when its event came, false when it was let go.
    func wait() async -> Bool {
        await withCheckedContinuation { continuation in
            let over: Bool? = self.state.withLock { state in
                switch state {
                case .empty:
                    state = .waiting(continuation)
                    return nil
                case .over(let result):
                    return result
                case .waiting:
                    preconditionFailure("a wait has one waiter")
                }
            }
            if let over {
                continuation.resume(returning: over)
            }
        }
    }

    /// Ends the wait with `result`, unless it is over already.
    func end(_ result: Bool) {
        let waiter: CheckedContinuation<Bool, Never>? = self.state.withLock { state in
            switch state {
            case .empty:
                state = .over(result)
                return nil
            case .waiting(let continuation):
                state = .over(result)
                return continuation
            case .over:
                return nil
            }
        }
        waiter?.resume(returning: result)
    }
}
