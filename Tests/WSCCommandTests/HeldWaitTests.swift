import Testing

@testable import WSCCommand

/// An input source's wait: over at its event or when the session lets it go, once.
@Suite("HeldWait")
struct HeldWaitTests {
    @Test("the event ends the wait with true; a later letting go changes nothing")
    func event() async {
        let wait = HeldWait()
        async let result = wait.wait()
        wait.end(true)
        wait.end(false)
        #expect(await result == true)
    }

    @Test("ended before anyone waits: the waiter returns at once with that result")
    func endedFirst() async {
        let wait = HeldWait()
        wait.end(false)
        wait.end(true)
        #expect(await wait.wait() == false)
    }
}
