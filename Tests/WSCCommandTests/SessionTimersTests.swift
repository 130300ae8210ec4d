import Testing

@testable import WSCCommand

/// The session's timers: a firing of a timer armed again or disarmed is stale.
@Suite("SessionTimers", .timeLimit(.minutes(1)))
@MainActor
struct SessionTimersTests {
    @Test("a timer fires once, at its deadline; its firing is current once")
    func fires() async {
        let timers = SessionTimers()
        let (firings, post) = AsyncStream.makeStream(of: SessionTimers.Firing.self)
        await withDiscardingTaskGroup { group in
            let run: @MainActor @Sendable () async -> Void = { await timers.run { post.yield($0) } }
            group.addTask(operation: run)
            timers.arm(.idleCheck, at: timers.now + .milliseconds(10))
            var iterator = firings.makeAsyncIterator()
            let firing = await iterator.next()
            #expect(firing?.timer == .idleCheck)
            if let firing {
                #expect(timers.isCurrent(firing))
                #expect(!timers.isCurrent(firing))
            }
            group.cancelAll()
        }
    }

    @Test("armed again, the first arming's firing is stale; disarmed, the firing is stale")
    func stale() async {
        let timers = SessionTimers()
        let (firings, post) = AsyncStream.makeStream(of: SessionTimers.Firing.self)
        await withDiscardingTaskGroup { group in
            let run: @MainActor @Sendable () async -> Void = { await timers.run { post.yield($0) } }
            group.addTask(operation: run)
            timers.arm(.attempt, at: timers.now + .milliseconds(5))
            timers.arm(.attempt, at: timers.now + .milliseconds(20))
            timers.arm(.closingNotice, at: timers.now + .milliseconds(30))
            timers.disarm(.closingNotice)
            var iterator = firings.makeAsyncIterator()
            var current: [SessionTimers.Timer] = []
            for _ in 0..<3 {
                if let firing = await iterator.next(), timers.isCurrent(firing) {
                    current.append(firing.timer)
                }
            }
            #expect(current == [.attempt])
            group.cancelAll()
        }
    }
}
