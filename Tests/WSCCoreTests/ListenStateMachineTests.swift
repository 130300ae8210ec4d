import Testing
import WSCCore

/// Every (state, event) pair of the `--listen` session's state machine.
@Suite("ListenStateMachine")
struct ListenStateMachineTests {
    /// The states, each reached by real events.
    enum Start: String, CaseIterable, Codable, CustomTestStringConvertible {
        /// Listening, no client yet.
        case waiting
        /// Listening, clients 1 and 2 open.
        case serving
        /// Quitting: clients 1 and 2 were asked to close.
        case quitting
        case finished

        var testDescription: String { self.rawValue }

        func machine(interactive: Bool = false, limit: ReceiveLimit? = nil) -> ListenStateMachine {
            var machine = ListenStateMachine(interactive: interactive, limit: limit)
            switch self {
            case .waiting:
                break
            case .serving, .quitting:
                _ = machine.clientOpened(1)
                _ = machine.clientOpened(2)
                if self == .quitting {
                    _ = machine.quitRequested()
                }
            case .finished:
                _ = machine.quitRequested()
            }
            return machine
        }
    }

    /// The events that cannot reach a finished session.
    enum Event: String, CaseIterable, Codable, CustomTestStringConvertible {
        case opened, message, closed, interrupt

        var testDescription: String { self.rawValue }

        func happen(to machine: inout ListenStateMachine) {
            switch self {
            case .opened: _ = machine.clientOpened(3)
            case .message: _ = machine.messageReceived(from: 1, .text("hi"))
            case .closed: _ = machine.clientClosed(1)
            case .interrupt: _ = machine.interruptReceived(promptHasText: false)
            }
        }
    }

    @Test("an event after the end stops the process", arguments: Event.allCases)
    func impossiblePairs(event: Event) async {
        await #expect(processExitsWith: .failure) { [event] in
            var machine = Start.finished.machine()
            event.happen(to: &machine)
        }
    }

    @Test("quitRequested: no client ends at once (0); clients are closed with 1001; asked again, it ends now")
    func quit() {
        var waiting = Start.waiting.machine()
        #expect(waiting.quitRequested() == .stopListeningAndFinish)
        #expect(waiting.exitStatus == .success)
        var serving = Start.serving.machine()
        #expect(serving.quitRequested() == .stopListeningAndClose([1, 2], code: .goingAway))
        #expect(serving.exitStatus == nil)
        #expect(serving.clientClosed(2) == .show)
        #expect(serving.clientClosed(1) == .showAndFinish)
        #expect(serving.exitStatus == .success)
        var quitting = Start.quitting.machine()
        #expect(quitting.quitRequested() == .finish)
        #expect(quitting.exitStatus == .success)
    }

    @Test(
        "clientOpened: greeted while serving; closed with 1001 while quitting",
        arguments: [Start.waiting, .serving, .quitting]
    )
    func clientOpened(start: Start) {
        var machine = start.machine()
        #expect(machine.clientOpened(3) == (start == .quitting ? .showAndClose(.goingAway) : .showGreetAndReleaseInput))
    }

    @Test("--count over every client quits; reached while quitting, the clients still answering are not abandoned")
    func count() {
        var serving = Start.serving.machine(limit: ReceiveLimit(count: 2, expectations: nil))
        #expect(serving.messageReceived(from: 1, .text("a")) == .show)
        #expect(
            serving.messageReceived(from: 2, .text("b"))
                == .showAndQuit(.stopListeningAndClose([1, 2], code: .goingAway))
        )
        #expect(serving.messageReceived(from: 1, .text("c")) == .ignore)
        var quitting = Start.quitting.machine(limit: ReceiveLimit(count: 1, expectations: nil))
        #expect(quitting.messageReceived(from: 1, .text("a")) == .show)
        #expect(quitting.exitStatus == nil)
    }

    @Test("the time limit quits (124); while quitting it ends now")
    func timeLimit() {
        var serving = Start.serving.machine()
        #expect(serving.timeLimitReached() == .stopListeningAndClose([1, 2], code: .goingAway))
        var quitting = Start.quitting.machine()
        #expect(quitting.timeLimitReached() == .finish)
        #expect(quitting.exitStatus == .timeout)
    }

    @Test(
        "SIGINT: text on the prompt is cleared; on an empty prompt it quits (0); a second, or one in a pipe, gives 130"
    )
    func interrupt() {
        var prompt = Start.serving.machine(interactive: true)
        #expect(prompt.interruptReceived(promptHasText: true) == .clearLine)
        #expect(
            prompt.interruptReceived(promptHasText: false) == .quit(.stopListeningAndClose([1, 2], code: .goingAway))
        )
        #expect(prompt.interruptReceived(promptHasText: true) == .quit(.finish))
        #expect(prompt.exitStatus == .interrupted)
        var calm = Start.serving.machine(interactive: true)
        _ = calm.interruptReceived(promptHasText: false)
        _ = calm.clientClosed(1)
        _ = calm.clientClosed(2)
        #expect(calm.exitStatus == .success)
        var pipe = Start.waiting.machine()
        #expect(pipe.interruptReceived(promptHasText: true) == .quit(.stopListeningAndFinish))
        #expect(pipe.exitStatus == .interrupted)
    }

    @Test("SIGTERM gives 143, unless another reason came first; a second one ends now")
    func termination() {
        var machine = Start.serving.machine()
        #expect(machine.terminationRequested() == .stopListeningAndClose([1, 2], code: .goingAway))
        #expect(machine.terminationRequested() == .finish)
        #expect(machine.exitStatus == .terminated)
        var timedOut = Start.serving.machine()
        _ = timedOut.timeLimitReached()
        _ = timedOut.terminationRequested()
        #expect(timedOut.exitStatus == .timeout)
    }

    @Test("hang-up and a closed output quit once: while quitting they wait for the clients")
    func quitOnce() {
        var hungUp = Start.serving.machine(interactive: true)
        #expect(hungUp.hangUpReceived() == .stopListeningAndClose([1, 2], code: .goingAway))
        #expect(hungUp.hangUpReceived() == .none)
        #expect(hungUp.standardOutputClosed(failed: true) == .none)
        _ = hungUp.clientClosed(1)
        _ = hungUp.clientClosed(2)
        #expect(hungUp.exitStatus == .hungUp)
        var failed = Start.waiting.machine()
        #expect(failed.standardOutputClosed(failed: true) == .stopListeningAndFinish)
        #expect(failed.exitStatus == .outputFailed)
    }

    @Test("inputBatchRead: waits for a client, goes to all of them, stops once quitting", arguments: Start.allCases)
    func inputBatchRead(start: Start) {
        var machine = start.machine()
        let expected: ListenStateMachine.InputBatchReadAction =
            switch start {
            case .waiting: .holdUntilAClient
            case .serving: .sendToEveryClient
            case .quitting, .finished: .stopReading
            }
        #expect(machine.inputBatchRead() == expected)
        machine.recordNotSent()
        if start == .finished {
            #expect(machine.exitStatus == .dataError)
        }
    }
}
