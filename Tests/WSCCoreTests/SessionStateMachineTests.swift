import Testing
import WSCCore

/// Every (state, event) pair of the client session's state machine.
///
/// Each event has a test over every state; the pairs that cannot happen (a message after the
/// close, an attempt while connected) are each checked to stop the process, in
/// ``impossiblePairs(start:event:)``. Scenarios over several events are in
/// `SessionStateMachineTests+Ending.swift` and `+Waiting.swift`.
@Suite("SessionStateMachine")
struct SessionStateMachineTests {
    typealias Machine = SessionStateMachine

    static let t0 = Duration.zero
    static func at(_ milliseconds: Int) -> Duration { .milliseconds(milliseconds) }

    static let peerClean = CloseInfo(code: .normalClosure, reason: "", wasClean: true, initiator: .peer)
    static let userClean = CloseInfo(code: .normalClosure, reason: "", wasClean: true, initiator: .user)
    static let dropped = CloseInfo.abnormal(initiator: .peer)

    /// The states, as the machine's documentation names them, each reached by real events.
    enum Start: String, CaseIterable, Codable, CustomTestStringConvertible {
        case connecting, open, closingAfterOpen, closingBeforeOpen, closedAsked, closedByItself
        case downAwaitingEnd, downCloseAsked, downWaiting, finished

        var testDescription: String { self.rawValue }

        /// The machine in this state, with `--reconnect`; the outbox holds "kept" while down.
        func machine(interactive: Bool = false, afterInput: AfterInput = .closeWhenIdle(.seconds(2))) -> Machine {
            var machine = Machine(
                interactive: interactive,
                afterInput: afterInput,
                reconnection: Reconnection(),
                limit: nil,
                now: SessionStateMachineTests.t0
            )
            let now = SessionStateMachineTests.at(10)
            switch self {
            case .connecting:
                break
            case .open:
                _ = machine.connectionOpened(at: now)
            case .closingAfterOpen:
                _ = machine.connectionOpened(at: now)
                _ = machine.closeRequested(code: .normalClosure, reason: "", at: now)
            case .closingBeforeOpen:
                _ = machine.closeRequested(code: .normalClosure, reason: "", at: now)
            case .closedAsked:
                _ = machine.connectionOpened(at: now)
                _ = machine.closeRequested(code: .normalClosure, reason: "", at: now)
                _ = machine.closeReceived(SessionStateMachineTests.userClean, at: now, jitter: 0)
            case .closedByItself:
                _ = machine.connectionOpened(at: now)
                _ = machine.closeReceived(SessionStateMachineTests.peerClean, at: now, jitter: 0)
            case .downAwaitingEnd, .downCloseAsked, .downWaiting, .finished:
                _ = machine.connectionOpened(at: now)
                _ = machine.closeReceived(SessionStateMachineTests.dropped, at: now, jitter: 0)
                _ = machine.sendRequested()
                machine.keepForNextConnection([.message(.text("kept"))])
                if self == .downCloseAsked {
                    _ = machine.closeRequested(code: .normalClosure, reason: "", at: now)
                }
                if self == .downWaiting || self == .finished {
                    _ = machine.connectionEnded(at: now)
                }
                if self == .finished {
                    _ = machine.closeRequested(code: .normalClosure, reason: "", at: now)
                }
            }
            return machine
        }

        var isDown: Bool { [.downAwaitingEnd, .downCloseAsked, .downWaiting].contains(self) }
        /// A close is asked for, or came: the next Ctrl-C quits at once.
        var closeUnderWay: Bool {
            [.closingAfterOpen, .closingBeforeOpen, .closedAsked, .downCloseAsked].contains(self)
        }
    }

    /// The events whose pairs include impossible ones.
    enum Event: String, CaseIterable, Codable, CustomTestStringConvertible {
        case opened, message, closed, ended, attemptDue

        var testDescription: String { self.rawValue }

        func happen(to machine: inout Machine) {
            let now = SessionStateMachineTests.at(20)
            switch self {
            case .opened: _ = machine.connectionOpened(at: now)
            case .message: _ = machine.messageReceived(.text("hi"), at: now)
            case .closed: _ = machine.closeReceived(SessionStateMachineTests.peerClean, at: now, jitter: 0)
            case .ended: _ = machine.connectionEnded(at: now)
            case .attemptDue: _ = machine.attemptDue(at: now)
            }
        }

        func isPossible(in start: Start) -> Bool {
            switch self {
            case .opened: [.connecting, .closingBeforeOpen].contains(start)
            case .message: [.open, .closingAfterOpen].contains(start)
            case .closed: [.connecting, .open, .closingAfterOpen, .closingBeforeOpen].contains(start)
            case .ended: [.closedAsked, .closedByItself, .downAwaitingEnd, .downCloseAsked].contains(start)
            case .attemptDue: start == .downWaiting
            }
        }
    }

    static let impossible: [(Start, Event)] = Start.allCases.flatMap { start in
        Event.allCases.filter { !$0.isPossible(in: start) }.map { (start, $0) }
    }

    @Test("an event that cannot happen in a state stops the process", arguments: Self.impossible)
    func impossiblePairs(start: Start, event: Event) async {
        await #expect(processExitsWith: .failure) { [start, event] in
            var machine = start.machine()
            event.happen(to: &machine)
        }
    }

    @Test("connectionOpened: the open releases held input; one that crossed our close starts nothing")
    func connectionOpened() {
        var connecting = Start.connecting.machine()
        #expect(connecting.connectionOpened(at: Self.at(20)) == .showAndReleaseHeldInput(.none))
        #expect(connecting.roomRequested() == .awaitConnectionRoom)
        #expect(connecting.pipedCommandRead() == .run)
        var crossed = Start.closingBeforeOpen.machine()
        #expect(crossed.connectionOpened(at: Self.at(20)) == .showAndReleaseHeldInput(.none))
        #expect(crossed.closingNoticeDue() == .sayNoAnswerYet)
    }

    @Test("messageReceived: shown while open or closing after the open", arguments: [Start.open, .closingAfterOpen])
    func messageReceived(start: Start) {
        var machine = start.machine()
        #expect(machine.messageReceived(.text("hi"), at: Self.at(20)) == .show)
    }

    @Test(
        "closeReceived: with --reconnect a drop goes down; a clean close, or one asked for, ends",
        arguments: [
            Start.connecting, .open, .closingAfterOpen, .closingBeforeOpen,
        ]
    )
    func closeReceived(start: Start) {
        var dropped = start.machine()
        #expect(dropped.closeReceived(Self.dropped, at: Self.at(20), jitter: 0) == .showAndAwaitEnd)
        let goesDown = start == .connecting || start == .open
        #expect(dropped.sendRequested() == (goesDown ? .keep : .send))
        var clean = start.machine()
        #expect(clean.closeReceived(Self.peerClean, at: Self.at(20), jitter: 0) == .showAndAwaitEnd)
        #expect(clean.sendRequested() == .send)
        guard case .finish(let finish) = clean.connectionEnded(at: Self.at(30)) else {
            Issue.record("a clean close ends the session")
            return
        }
        #expect(finish == Machine.Finish(closeToReport: nil, notSent: [], awaitsConnectionEnd: false))
        #expect(clean.exitStatus == .success)
    }

    @Test(
        "connectionEnded: down waits for the attempt; otherwise the session finishes",
        arguments: [
            Start.closedAsked, .closedByItself, .downAwaitingEnd, .downCloseAsked,
        ]
    )
    func connectionEnded(start: Start) {
        var machine = start.machine()
        let action = machine.connectionEnded(at: Self.at(20))
        switch start {
        case .downAwaitingEnd:
            #expect(
                action
                    == .showAttemptAndWait(
                        ReconnectAttempt(attempt: 1, delay: .milliseconds(500)),
                        until: Self.at(520)
                    )
            )
            #expect(machine.attemptDue(at: Self.at(520)) == .connect(sending: [.message(.text("kept"))]))
        case .downCloseAsked:
            #expect(
                action
                    == .finish(
                        Machine.Finish(
                            closeToReport: nil,
                            notSent: [.message(.text("kept"))],
                            awaitsConnectionEnd: false
                        )
                    )
            )
            // What never found a connection counts as not sent: the dropped connection's 1006 gives 1.
            #expect(machine.exitStatus == .closedAbnormally)
        case .closedAsked, .closedByItself:
            #expect(action == .finish(Machine.Finish(closeToReport: nil, notSent: [], awaitsConnectionEnd: false)))
            #expect(machine.exitStatus == .success)
        case .connecting, .open, .closingAfterOpen, .closingBeforeOpen, .downWaiting, .finished:
            Issue.record("not a state where a connection ends")
        }
    }

    @Test(
        "sendRequested, roomRequested, pipedCommandRead, controlFrameRequested, statusRequested",
        arguments: Start.allCases
    )
    func inputRouting(start: Start) {
        var machine = start.machine()
        let over = start == .finished
        #expect(machine.sendRequested() == (over ? .refuse : start.isDown ? .keep : .send))
        #expect(
            machine.roomRequested()
                == (over ? .stopReading : start.isDown ? .awaitNextConnection : .awaitConnectionRoom)
        )
        let runs = start == .open || start == .closingAfterOpen
        #expect(machine.pipedCommandRead() == (over ? .drop : runs ? .run : .holdUntilOpen))
        let control: Machine.ControlFrameRequestedAction =
            over
            ? .refuse("not sent: the session is over")
            : start.isDown ? .refuse("not sent: the connection is down (reconnecting)") : .send
        #expect(machine.controlFrameRequested() == control)
        #expect(machine.statusRequested() == .show(reconnecting: start.isDown))
    }
}
