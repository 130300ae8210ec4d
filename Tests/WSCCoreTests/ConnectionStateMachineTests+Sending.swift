import Testing
import WSCCore

/// What the user and the timers ask for, in every state where it can happen.
extension ConnectionStateMachineTests {
    @Test("sendRequested, refusing or giving back what cannot go", arguments: Start.allCases, [false, true])
    func sendRequested(start: Start, givesBack: Bool) {
        var machine = start.machine(givesBackUnsent: givesBack)
        let action = machine.sendRequested()
        let refusal = ConnectionError(.input, "not sent: the connection is \(start.readyState.name.lowercased())")
        switch start.readyState {
        case .connecting:
            #expect(action == .queueMessage)
        case .open:
            #expect(action == .sendMessage)
        case .closing:
            // Given back, it would overtake the sends still queued: it waits behind them.
            #expect(action == (givesBack ? .queueMessage : .refuseMessage(refusal)))
        case .closed:
            #expect(action == (givesBack ? .giveBackMessage(refusal) : .refuseMessage(refusal)))
        }
        #expect(machine.readyState == start.readyState)
    }

    @Test("controlFrameRequested", arguments: Start.allCases)
    func controlFrameRequested(start: Start) {
        var machine = start.machine
        let action = machine.controlFrameRequested()
        if start == .open {
            #expect(action == .sendFrame)
        } else {
            #expect(
                action
                    == .refuseFrame(
                        ConnectionError(.input, "not sent: the connection is \(start.readyState.name.lowercased())")
                    )
            )
        }
        #expect(machine.readyState == start.readyState)
    }

    @Test("fileChunkRead and fileStreamEnded", arguments: Event.fileChunkRead.possibleIn)
    func fileStreaming(start: Start) {
        var machine = start.machine
        #expect(machine.fileChunkRead() == (start == .open ? .writeChunk : .stopStreaming))
        #expect(machine.fileStreamEnded() == (start == .open ? .sendQueued : .none))
        #expect(machine.readyState == start.readyState)
    }

    @Test("closeRequested", arguments: Start.allCases)
    func closeRequested(start: Start) {
        var machine = start.machine
        let action = machine.closeRequested(code: CloseCode(4000), reason: "done")
        switch start {
        case .connecting, .upgraded:
            #expect(action == .closeChannel)
            #expect(machine.readyState == .closing)
        case .open:
            #expect(action == .sendClose(code: CloseCode(4000), reason: "done"))
            #expect(machine.readyState == .closing)
        case .closingByUser, .closingByPeer, .closingAbandoned, .closingHandshakeDone, .closingAfterViolation, .closed:
            #expect(action == .none)
            #expect(machine.readyState == start.readyState)
        }
    }

    @Test("keepaliveTimerFired and keepaliveTimedOut", arguments: Event.keepaliveTimedOut.possibleIn)
    func keepaliveTimers(start: Start) {
        let error = ConnectionError(.timeout, "no pong")
        var machine = start.machine
        #expect(machine.keepaliveTimerFired() == (start == .open ? .runKeepalive : .none))
        let action = machine.keepaliveTimedOut(error)
        if start == .open {
            #expect(
                action == .failConnectionAndCloseChannel(error, code: .internalError, reason: "keepalive ping timeout")
            )
            #expect(machine.readyState == .closing)
        } else {
            #expect(action == .none)
            #expect(machine.readyState == start.readyState)
        }
    }

    @Test("a keepalive timeout sends 1011 and ends TCP at once; the close is 1006, not clean")
    func keepaliveTimeout() {
        let error = ConnectionError(.timeout, "no pong")
        for role in [ConnectionRole.client, .server] {
            var machine = ConnectionStateMachine(role: role)
            machine.open()
            #expect(
                machine.keepaliveTimedOut(error)
                    == .failConnectionAndCloseChannel(error, code: .internalError, reason: "keepalive ping timeout")
            )
            #expect(machine.keepaliveTimedOut(error) == .none)
            #expect(machine.channelClosed() == .fireClose(.abnormal(initiator: .protocolFailure)))
        }
    }

    @Test("closeTimedOut", arguments: Start.allCases)
    func closeTimedOut(start: Start) {
        var machine = start.machine
        let error = ConnectionError(.timeout, "no answer to our close")
        let action = machine.closeTimedOut(error)
        switch start {
        case .closingByPeer, .closingHandshakeDone:
            // Both close frames went: only TCP's end is missing, and that is no error.
            #expect(action == .closeChannel)
        case .closingByUser, .closingAbandoned, .closingAfterViolation:
            #expect(action == .fireErrorAndCloseChannel(error))
        case .connecting, .upgraded, .open, .closed:
            #expect(action == .none)
        }
        #expect(machine.readyState == start.readyState)
    }

    @Test("transportFailed is quiet only while closing", arguments: Start.allCases)
    func transportFailed(start: Start) {
        var machine = start.machine
        let error = ConnectionError(.protocolViolation, "connection error: reset")
        let action = machine.transportFailed(error)
        #expect(action == (start.readyState == .closing ? .closeChannel : .fireErrorAndCloseChannel(error)))
        #expect(machine.readyState == start.readyState)
    }

    @Test("channelClosed", arguments: Start.allCases)
    func channelClosed(start: Start) {
        var machine = start.machine
        let action = machine.channelClosed()
        switch start {
        case .connecting, .upgraded:
            guard case .fireErrorAndClose(let error, let info) = action else {
                Issue.record("expected an error and a close, got \(action)")
                return
            }
            #expect(error.kind == .handshake)
            #expect(info == .abnormal(initiator: .transport))
        case .open:
            #expect(action == .fireClose(.abnormal(initiator: .transport)))
        case .closingByUser, .closingAbandoned:
            #expect(action == .fireClose(.abnormal(initiator: .user)))
        case .closingAfterViolation:
            #expect(action == .fireClose(.abnormal(initiator: .protocolFailure)))
        case .closingByPeer:
            #expect(
                action == .fireClose(CloseInfo(code: CloseCode(4001), reason: "bye", wasClean: true, initiator: .peer))
            )
        case .closingHandshakeDone:
            #expect(
                action == .fireClose(CloseInfo(code: .normalClosure, reason: "ok", wasClean: true, initiator: .user))
            )
        case .closed:
            #expect(action == .none)
        }
        #expect(machine.readyState == .closed)
    }
}
