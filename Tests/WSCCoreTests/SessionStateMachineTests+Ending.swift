import Testing
import WSCCore

/// How a session ends: close requests, signals, the time limit, and the exit status each gives.
extension SessionStateMachineTests {
    static let order = Machine.CloseOrder(code: .normalClosure, reason: "", noticeAt: nil)
    static let goingAway = Machine.CloseOrder(code: .goingAway, reason: "", noticeAt: nil)
    static let quitBeforeClose = Machine.Finish(
        closeToReport: .abnormal(initiator: .user),
        notSent: [],
        awaitsConnectionEnd: true
    )

    @Test(
        "closeRequested: closes once; while waiting to reconnect it ends with the outbox not sent",
        arguments: Start.allCases
    )
    func closeRequested(start: Start) {
        var machine = start.machine()
        let action = machine.closeRequested(code: .normalClosure, reason: "", at: Self.at(20))
        switch start {
        case .connecting, .open:
            #expect(action == .close(Self.order))
        case .closingAfterOpen, .closingBeforeOpen, .closedAsked, .closedByItself, .downAwaitingEnd, .downCloseAsked,
            .finished:
            #expect(action == .none)
        case .downWaiting:
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
        }
    }

    @Test("at the prompt, a close of an open connection arms the notice a second later")
    func closingNotice() {
        var machine = Start.open.machine(interactive: true)
        let order = Machine.CloseOrder(code: CloseCode(4000), reason: "bye", noticeAt: Self.at(1020))
        #expect(machine.closeRequested(code: CloseCode(4000), reason: "bye", at: Self.at(20)) == .close(order))
        #expect(machine.closingNoticeDue() == .sayNoAnswerYet)
        _ = machine.closeReceived(Self.userClean, at: Self.at(30), jitter: 0)
        #expect(machine.closingNoticeDue() == .none)
    }

    @Test(
        "SIGINT in a pipe: the first closes (130), the next quits at once",
        arguments: Start.allCases.filter { $0 != .finished }
    )
    func interruptInPipe(start: Start) {
        var machine = start.machine()
        guard case .ending(let action) = machine.interruptReceived(promptHasText: true, at: Self.at(20)) else {
            Issue.record("in a pipe there is no line to clear")
            return
        }
        switch start {
        case .connecting, .open:
            #expect(action == .close(Self.order))
        case .closingAfterOpen, .closingBeforeOpen:
            #expect(action == .finish(Self.quitBeforeClose))
        case .closedAsked:
            #expect(action == .finish(Machine.Finish(closeToReport: nil, notSent: [], awaitsConnectionEnd: true)))
        case .closedByItself, .downAwaitingEnd:
            #expect(action == .none)
        case .downCloseAsked:
            #expect(
                action
                    == .finish(
                        Machine.Finish(
                            closeToReport: nil,
                            notSent: [.message(.text("kept"))],
                            awaitsConnectionEnd: true
                        )
                    )
            )
        case .downWaiting:
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
        case .finished:
            Issue.record("nothing reaches a finished session")
        }
        if case .finish = action {
            #expect(machine.exitStatus == .interrupted)
        }
    }

    @Test("SIGINT at the prompt: text is cleared; the first on an empty line closes with the close's status")
    func interruptAtPrompt() {
        var machine = Start.open.machine(interactive: true)
        #expect(machine.interruptReceived(promptHasText: true, at: Self.at(20)) == .clearLine)
        guard case .ending(.close) = machine.interruptReceived(promptHasText: false, at: Self.at(20)) else {
            Issue.record("the first Ctrl-C closes")
            return
        }
        _ = machine.closeReceived(Self.userClean, at: Self.at(30), jitter: 0)
        _ = machine.connectionEnded(at: Self.at(40))
        #expect(machine.exitStatus == .success)
        var again = Start.closingAfterOpen.machine(interactive: true)
        #expect(
            again.interruptReceived(promptHasText: false, at: Self.at(20)) == .ending(.finish(Self.quitBeforeClose))
        )
        #expect(again.exitStatus == .interrupted)
    }

    @Test("SIGTERM closes with 1001 (143); once a close is under way it quits at once")
    func termination() {
        var open = Start.open.machine()
        #expect(open.terminationRequested(at: Self.at(20)) == .close(Self.goingAway))
        #expect(open.terminationRequested(at: Self.at(30)) == .finish(Self.quitBeforeClose))
        #expect(open.exitStatus == .terminated)
    }

    @Test("the first reason to end decides the status: a time limit, then SIGTERM, gives 124")
    func firstReasonWins() {
        var machine = Start.open.machine()
        #expect(machine.timeLimitReached(at: Self.at(20)) == .showAndClose(Self.order))
        #expect(machine.terminationRequested(at: Self.at(30)) == .finish(Self.quitBeforeClose))
        #expect(machine.exitStatus == .timeout)
    }

    @Test("hang-up: the prompt goes, the connection closes with 1001 (129); Ctrl-C then acts as in a pipe")
    func hangUp() {
        var machine = Start.open.machine(interactive: true)
        #expect(machine.hangUpReceived(at: Self.at(20)) == .close(Self.goingAway))
        #expect(
            machine.interruptReceived(promptHasText: true, at: Self.at(30)) == .ending(.finish(Self.quitBeforeClose))
        )
        #expect(machine.exitStatus == .hungUp)
    }

    @Test(
        "the time limit: an open connection closes; elsewhere the session ends now (124)",
        arguments: Start.allCases.filter { $0 != .finished }
    )
    func timeLimit(start: Start) {
        var machine = start.machine()
        let action = machine.timeLimitReached(at: Self.at(20))
        switch start {
        case .open:
            #expect(action == .showAndClose(Self.order))
            #expect(machine.exitStatus == nil)
        case .connecting, .closingAfterOpen, .closingBeforeOpen:
            // Abandoned: what the connection held comes back before the end (not silently lost).
            #expect(action == .showAndFinish(Self.quitBeforeClose))
            #expect(machine.exitStatus == .timeout)
        case .closedAsked, .closedByItself:
            #expect(
                action == .showAndFinish(Machine.Finish(closeToReport: nil, notSent: [], awaitsConnectionEnd: true))
            )
        case .downAwaitingEnd, .downCloseAsked:
            #expect(
                action
                    == .showAndFinish(
                        Machine.Finish(
                            closeToReport: nil,
                            notSent: [.message(.text("kept"))],
                            awaitsConnectionEnd: true
                        )
                    )
            )
        case .downWaiting:
            #expect(
                action
                    == .showAndFinish(
                        Machine.Finish(
                            closeToReport: nil,
                            notSent: [.message(.text("kept"))],
                            awaitsConnectionEnd: false
                        )
                    )
            )
        case .finished:
            Issue.record("timers are disarmed at the end")
        }
    }

    @Test(
        "exit statuses: a failure before the open decides; a clean end with input not sent gives 65; a failed output 74"
    )
    func exitStatuses() {
        var refused = Start.connecting.machine()
        refused.errorReceived(ConnectionError(.connect, "refused"))
        _ = refused.closeReceived(Self.dropped, at: Self.at(20), jitter: 0)
        #expect(
            refused.connectionEnded(at: Self.at(30))
                == .showAttemptAndWait(ReconnectAttempt(attempt: 1, delay: .milliseconds(500)), until: Self.at(530))
        )
        _ = refused.closeRequested(code: .normalClosure, reason: "", at: Self.at(40))
        #expect(refused.exitStatus == .unavailable)

        var lost = Start.open.machine()
        _ = lost.messagesGivenBack([.text("a")])
        _ = lost.closeRequested(code: .normalClosure, reason: "", at: Self.at(20))
        #expect(lost.closeReceived(Self.userClean, at: Self.at(30), jitter: 0) == .showReportAndAwaitEnd([.text("a")]))
        _ = lost.connectionEnded(at: Self.at(40))
        #expect(lost.exitStatus == .dataError)

        var failedOutput = Start.open.machine()
        #expect(failedOutput.standardOutputClosed(failed: true, at: Self.at(20)) == .close(Self.order))
        _ = failedOutput.closeReceived(Self.userClean, at: Self.at(30), jitter: 0)
        _ = failedOutput.connectionEnded(at: Self.at(40))
        #expect(failedOutput.exitStatus == .outputFailed)
    }
}
