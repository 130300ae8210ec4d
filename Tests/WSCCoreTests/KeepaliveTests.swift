import Testing
import WSCCore

@Suite("Keepalive")
struct KeepaliveTests {
    @Test("a ping each interval while pongs come back; each payload is new")
    func answered() {
        var keepalive = Keepalive(interval: .seconds(1), timeout: .milliseconds(500))
        guard case .sendPing(let firstId, let first) = keepalive.intervalElapsed() else {
            Issue.record("no first ping")
            return
        }
        let answersFirst = keepalive.pongReceived(first)
        #expect(answersFirst)
        #expect(keepalive.timeoutElapsed(forPing: firstId) == .none)
        guard case .sendPing(let secondId, let second) = keepalive.intervalElapsed() else {
            Issue.record("no second ping")
            return
        }
        #expect(second != first && secondId != firstId)
        let oldAnswersNew = keepalive.pongReceived(first)
        #expect(!oldAnswersNew, "an old payload does not answer the new ping")
        let answersSecond = keepalive.pongReceived(second)
        #expect(answersSecond)
    }

    @Test("no pong before the ping's timeout: timed out; no second ping while one waits")
    func unanswered() {
        var keepalive = Keepalive(interval: .seconds(1), timeout: .seconds(3))
        guard case .sendPing(let id, _) = keepalive.intervalElapsed() else {
            Issue.record("no ping")
            return
        }
        #expect(keepalive.intervalElapsed() == .none)
        #expect(keepalive.timeoutElapsed(forPing: id + 1) == .none, "another ping's timer")
        #expect(keepalive.timeoutElapsed(forPing: id) == .timedOut)
    }

    @Test("an unsolicited pong changes nothing")
    func unsolicited() {
        var keepalive = Keepalive(interval: .seconds(1), timeout: .milliseconds(500))
        let answersBeforeAnyPing = keepalive.pongReceived(Array("x".utf8))
        #expect(!answersBeforeAnyPing)
        guard case .sendPing(let id, _) = keepalive.intervalElapsed() else {
            Issue.record("no ping")
            return
        }
        let answersThePing = keepalive.pongReceived(Array("x".utf8))
        #expect(!answersThePing)
        #expect(keepalive.timeoutElapsed(forPing: id) == .timedOut)
    }
}
