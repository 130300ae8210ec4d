import Testing
import WSCCore

/// Frames from the peer, in every state where they can arrive.
extension ConnectionStateMachineTests {
    @Test(
        "messageReceived, echoed with --echo only while open",
        arguments: Event.messageReceived.possibleIn,
        [false, true]
    )
    func messageReceived(start: Start, echoes: Bool) {
        var machine = start.machine(echoes: echoes)
        let action = machine.messageReceived()
        switch start {
        case .open:
            #expect(action == (echoes ? .deliverAndEchoMessage : .deliverMessage))
        case .closingByUser:
            #expect(action == .deliverMessage)
        case .connecting, .upgraded, .closingByPeer, .closingAbandoned, .closingHandshakeDone, .closingAfterViolation,
            .closed:
            #expect(action == .dropMessage)
        }
        #expect(machine.readyState == start.readyState)
    }

    @Test(
        "dataFrameReceived: frames are assembled while messages would be delivered",
        arguments: Event.dataFrameReceived.possibleIn
    )
    func dataFrameReceived(start: Start) {
        var machine = start.machine
        let action = machine.dataFrameReceived()
        #expect(action == ([.open, .closingByUser].contains(start) ? .assembleFrame : .ignoreFrame))
        #expect(machine.readyState == start.readyState)
    }

    @Test("pingReceived and pongReceived", arguments: Event.pingReceived.possibleIn)
    func controlFramesReceived(start: Start) {
        var machine = start.machine
        #expect(machine.pingReceived() == (start == .open ? .sendPong : .none))
        #expect(machine.pongReceived() == (start == .open ? .matchKeepalive : .emitPong))
        #expect(machine.readyState == start.readyState)
    }

    @Test("closeFrameReceived", arguments: Event.closeFrameReceived.possibleIn)
    func closeFrameReceived(start: Start) {
        var machine = start.machine
        let action = machine.closeFrameReceived(code: CloseCode(4001), reason: "bye")
        switch start {
        case .open:
            #expect(action == .sendClose(code: CloseCode(4001), reason: ""))
            #expect(machine.readyState == .closing)
        case .closingByUser, .closingAfterViolation, .closingAbandoned:
            #expect(action == .closeChannel)
            #expect(machine.readyState == .closing)
        case .closingByPeer, .closingHandshakeDone, .closed:
            #expect(action == .none)
            #expect(machine.readyState == start.readyState)
        case .connecting, .upgraded:
            Issue.record("not a case of this test")
        }
    }

    @Test("protocolViolated", arguments: Event.protocolViolated.possibleIn)
    func protocolViolated(start: Start) {
        var machine = start.machine
        let action = machine.protocolViolated(Self.violation, code: .invalidPayloadData)
        switch start {
        case .open:
            #expect(
                action == .failConnection(Self.violation, code: .invalidPayloadData, reason: Self.violation.message)
            )
            #expect(machine.readyState == .closing)
        case .closed:
            #expect(action == .none)
        case .closingByUser, .closingByPeer, .closingAbandoned, .closingHandshakeDone, .closingAfterViolation:
            #expect(action == .fireErrorAndCloseChannel(Self.violation))
            #expect(machine.readyState == .closing)
        case .connecting, .upgraded:
            Issue.record("not a case of this test")
        }
    }

    @Test("a close frame without a code reports 1005")
    func closeWithoutCode() {
        var machine = ConnectionStateMachine()
        machine.open()
        #expect(machine.closeFrameReceived(code: nil, reason: "") == .sendClose(code: nil, reason: ""))
        #expect(
            machine.channelClosed()
                == .fireClose(CloseInfo(code: .noStatusReceived, reason: "", wasClean: true, initiator: .peer))
        )
    }

    @Test("as a server: the peer's close is answered and TCP ended by us; a clean close follows")
    func serverAnswersCloseAndEndsTCP() {
        var machine = ConnectionStateMachine(role: .server)
        machine.open()
        #expect(
            machine.closeFrameReceived(code: CloseCode(4001), reason: "bye")
                == .answerCloseAndCloseChannel(code: CloseCode(4001))
        )
        #expect(machine.readyState == .closing)
        #expect(
            machine.channelClosed()
                == .fireClose(CloseInfo(code: CloseCode(4001), reason: "bye", wasClean: true, initiator: .peer))
        )
    }

    @Test("as a server: our close, then the client's answer, ends TCP; a close without a code too")
    func serverStartsClose() {
        var machine = ConnectionStateMachine(role: .server)
        machine.open()
        #expect(machine.closeRequested(code: .goingAway, reason: "") == .sendClose(code: .goingAway, reason: ""))
        #expect(machine.closeFrameReceived(code: .goingAway, reason: "") == .closeChannel)
        #expect(
            machine.channelClosed()
                == .fireClose(CloseInfo(code: .goingAway, reason: "", wasClean: true, initiator: .user))
        )

        var silent = ConnectionStateMachine(role: .server)
        silent.open()
        #expect(silent.closeFrameReceived(code: nil, reason: "") == .answerCloseAndCloseChannel(code: nil))
    }

    @Test("as a server, a protocol violation sends its close and ends TCP at once")
    func serverFailsAndEndsTCP() {
        var machine = ConnectionStateMachine(role: .server)
        machine.open()
        let action = machine.protocolViolated(Self.violation, code: .protocolError)
        #expect(
            action
                == .failConnectionAndCloseChannel(Self.violation, code: .protocolError, reason: Self.violation.message)
        )
    }
}
