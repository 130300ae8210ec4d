import Testing
import WSCCore

/// The opening handshake's events, in every state where they can happen.
extension ConnectionStateMachineTests {
    @Test("channelConnected", arguments: Event.channelConnected.possibleIn)
    func channelConnected(start: Start) {
        var machine = start.machine
        let action = machine.channelConnected()
        #expect(action == (start == .connecting ? .none : .closeChannel))
        #expect(machine.readyState == start.readyState)
    }

    @Test("redirectReceived", arguments: Event.redirectReceived.possibleIn)
    func redirectReceived(start: Start) {
        var machine = start.machine
        let action = machine.redirectReceived()
        #expect(action == (start == .connecting ? .followRedirect : .none))
        #expect(machine.readyState == start.readyState)
    }

    @Test("upgradeSucceeded", arguments: Event.upgradeSucceeded.possibleIn)
    func upgradeSucceeded(start: Start) {
        var machine = start.machine
        let action = machine.upgradeSucceeded()
        if start == .connecting {
            #expect(action == .awaitCompletion)
            // Still CONNECTING: the open event waits for the completion, and sends wait.
            #expect(machine.readyState == .connecting)
            #expect(machine.sendRequested() == .queueMessage)
        } else {
            #expect(action == .closeChannel)
            #expect(machine.readyState == start.readyState)
        }
    }

    @Test("upgradeCompleted", arguments: Event.upgradeCompleted.possibleIn)
    func upgradeCompleted(start: Start) {
        var machine = start.machine
        let action = machine.upgradeCompleted()
        if start == .upgraded {
            #expect(action == .fireOpen)
            #expect(machine.readyState == .open)
        } else {
            #expect(action == .none)
            #expect(machine.readyState == start.readyState)
        }
    }

    @Test("connectFailed", arguments: Event.connectFailed.possibleIn)
    func connectFailed(start: Start) {
        var machine = start.machine
        let action = machine.connectFailed(Self.failure)
        switch start {
        case .connecting, .upgraded:
            #expect(action == .fireErrorAndClose(Self.failure, .abnormal(initiator: .transport)))
        case .closingAbandoned:
            #expect(action == .fireClose(.abnormal(initiator: .user)))
        case .closed:
            #expect(action == .none)
        case .open, .closingByUser, .closingByPeer, .closingHandshakeDone, .closingAfterViolation:
            Issue.record("not a case of this test")
        }
        #expect(machine.readyState == .closed)
    }

    @Test("the user gives up while TCP is set up: the channel closes as soon as it exists, without an open")
    func abandonedWhileConnecting() {
        var machine = ConnectionStateMachine()
        #expect(machine.closeRequested(code: .normalClosure, reason: "") == .closeChannel)
        #expect(machine.channelConnected() == .closeChannel)
        #expect(machine.upgradeSucceeded() == .closeChannel)
        #expect(machine.upgradeCompleted() == .none)
        #expect(machine.channelClosed() == .fireClose(.abnormal(initiator: .user)))
    }
}
