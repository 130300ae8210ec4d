import Testing
import WSCCore

/// Every (state, event) pair of the connection state machine.
@Suite("ConnectionStateMachine")
struct ConnectionStateMachineTests {
    /// The states worth telling apart, each reached by real events from a new machine.
    enum Start: CaseIterable, CustomTestStringConvertible {
        case connecting
        case open
        case closingByUser
        case closingByPeer
        case closingAbandoned
        case closingHandshakeDone
        case closingAfterViolation
        case closed

        var testDescription: String { "\(self)" }

        var machine: ConnectionStateMachine {
            var machine = ConnectionStateMachine()
            switch self {
            case .connecting:
                break
            case .open:
                _ = machine.upgradeSucceeded()
            case .closingByUser:
                _ = machine.upgradeSucceeded()
                _ = machine.closeRequested(code: .normalClosure, reason: "")
            case .closingByPeer:
                _ = machine.upgradeSucceeded()
                _ = machine.closeFrameReceived(code: CloseCode(4001), reason: "bye")
            case .closingAbandoned:
                _ = machine.closeRequested(code: .normalClosure, reason: "")
            case .closingHandshakeDone:
                _ = machine.upgradeSucceeded()
                _ = machine.closeRequested(code: .normalClosure, reason: "")
                _ = machine.closeFrameReceived(code: .normalClosure, reason: "ok")
            case .closingAfterViolation:
                _ = machine.upgradeSucceeded()
                _ = machine.protocolViolated(ConnectionError(.protocolViolation, "bad"), code: .protocolError)
            case .closed:
                _ = machine.upgradeSucceeded()
                _ = machine.channelClosed()
            }
            return machine
        }

        var readyState: ReadyState {
            switch self {
            case .connecting: .connecting
            case .open: .open
            case .closingByUser, .closingByPeer, .closingAbandoned, .closingHandshakeDone, .closingAfterViolation: .closing
            case .closed: .closed
            }
        }
    }

    static let failure = ConnectionError(.connect, "refused")
    static let violation = ConnectionError(.protocolViolation, "protocol error: bad frame")

    @Test("each start state has the expected readyState", arguments: Start.allCases)
    func readyStates(start: Start) {
        #expect(start.machine.readyState == start.readyState)
    }

    @Test("upgradeSucceeded", arguments: [Start.connecting, .closingAbandoned, .closed])
    func upgradeSucceeded(start: Start) {
        var machine = start.machine
        let action = machine.upgradeSucceeded()
        switch start {
        case .connecting:
            #expect(action == .fireOpen)
            #expect(machine.readyState == .open)
        case .closingAbandoned, .closed:
            #expect(action == .closeChannel)
            #expect(machine.readyState == start.readyState)
        default:
            Issue.record("not a case of this test")
        }
    }

    @Test("upgradeSucceeded after the connection opened is a bug")
    func upgradeTwice() async {
        await #expect(processExitsWith: .failure) {
            var machine = ConnectionStateMachine()
            _ = machine.upgradeSucceeded()
            _ = machine.upgradeSucceeded()
        }
    }

    @Test("connectFailed", arguments: [Start.connecting, .closingAbandoned, .closed])
    func connectFailed(start: Start) {
        var machine = start.machine
        let action = machine.connectFailed(Self.failure)
        switch start {
        case .connecting:
            #expect(action == .fireErrorAndClose(Self.failure, .abnormal(initiator: .transport)))
        case .closingAbandoned:
            #expect(action == .fireClose(.abnormal(initiator: .user)))
        case .closed:
            #expect(action == .none)
        default:
            Issue.record("not a case of this test")
        }
        #expect(machine.readyState == .closed)
    }

    @Test("connectFailed after the connection opened is a bug")
    func connectFailedAfterOpen() async {
        await #expect(processExitsWith: .failure) {
            var machine = ConnectionStateMachine()
            _ = machine.upgradeSucceeded()
            _ = machine.connectFailed(ConnectionError(.connect, "late"))
        }
    }

    @Test("sendRequested", arguments: Start.allCases)
    func sendRequested(start: Start) {
        var machine = start.machine
        let action = machine.sendRequested()
        switch start.readyState {
        case .connecting:
            #expect(action == .queueMessage)
        case .open:
            #expect(action == .sendMessage)
        case .closing:
            #expect(action == .refuseMessage(ConnectionError(.input, "not sent: the connection is closing")))
        case .closed:
            #expect(action == .refuseMessage(ConnectionError(.input, "not sent: the connection is closed")))
        }
        #expect(machine.readyState == start.readyState)
    }

    @Test("closeRequested", arguments: Start.allCases)
    func closeRequested(start: Start) {
        var machine = start.machine
        let action = machine.closeRequested(code: CloseCode(4000), reason: "done")
        switch start {
        case .connecting:
            #expect(action == .closeChannel)
            #expect(machine.readyState == .closing)
        case .open:
            #expect(action == .sendClose(code: CloseCode(4000), reason: "done"))
            #expect(machine.readyState == .closing)
        default:
            #expect(action == .none)
            #expect(machine.readyState == start.readyState)
        }
    }

    @Test("messageReceived", arguments: Start.allCases.filter { $0 != .connecting })
    func messageReceived(start: Start) {
        var machine = start.machine
        let action = machine.messageReceived()
        switch start {
        case .open, .closingByUser:
            #expect(action == .deliverMessage)
        default:
            #expect(action == .dropMessage)
        }
        #expect(machine.readyState == start.readyState)
    }

    @Test("a message before the upgrade is a bug")
    func messageBeforeUpgrade() async {
        await #expect(processExitsWith: .failure) {
            var machine = ConnectionStateMachine()
            _ = machine.messageReceived()
        }
    }

    @Test("pingReceived", arguments: Start.allCases.filter { $0 != .connecting })
    func pingReceived(start: Start) {
        var machine = start.machine
        let action = machine.pingReceived()
        #expect(action == (start == .open ? .sendPong : .none))
        #expect(machine.readyState == start.readyState)
    }

    @Test("closeFrameReceived", arguments: Start.allCases.filter { $0 != .connecting })
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
        case .connecting:
            Issue.record("not a case of this test")
        }
    }

    @Test("protocolViolated", arguments: Start.allCases.filter { $0 != .connecting })
    func protocolViolated(start: Start) {
        var machine = start.machine
        let action = machine.protocolViolated(Self.violation, code: .invalidPayloadData)
        switch start {
        case .open:
            #expect(action == .failConnection(Self.violation, code: .invalidPayloadData, reason: Self.violation.message))
            #expect(machine.readyState == .closing)
        case .closed:
            #expect(action == .none)
        default:
            #expect(action == .fireErrorAndCloseChannel(Self.violation))
            #expect(machine.readyState == .closing)
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
        case .connecting, .open, .closed:
            #expect(action == .none)
        }
        #expect(machine.readyState == start.readyState)
    }

    @Test("channelClosed", arguments: Start.allCases)
    func channelClosed(start: Start) {
        var machine = start.machine
        let action = machine.channelClosed()
        switch start {
        case .connecting:
            guard case .fireErrorAndClose(let error, let info) = action else {
                Issue.record("expected an error and a close, got \(action)")
                return
            }
            #expect(error.kind == .handshake)
            #expect(info == .abnormal(initiator: .transport))
        case .open:
            #expect(action == .fireClose(.abnormal(initiator: .transport)))
        case .closingByUser:
            #expect(action == .fireClose(.abnormal(initiator: .user)))
        case .closingAbandoned:
            #expect(action == .fireClose(.abnormal(initiator: .user)))
        case .closingAfterViolation:
            #expect(action == .fireClose(.abnormal(initiator: .protocolFailure)))
        case .closingByPeer:
            #expect(action == .fireClose(CloseInfo(code: CloseCode(4001), reason: "bye", wasClean: true, initiator: .peer)))
        case .closingHandshakeDone:
            #expect(action == .fireClose(CloseInfo(code: .normalClosure, reason: "ok", wasClean: true, initiator: .user)))
        case .closed:
            #expect(action == .none)
        }
        #expect(machine.readyState == .closed)
    }

    @Test("a close frame without a code reports 1005")
    func closeWithoutCode() {
        var machine = ConnectionStateMachine()
        _ = machine.upgradeSucceeded()
        #expect(machine.closeFrameReceived(code: nil, reason: "") == .sendClose(code: nil, reason: ""))
        #expect(machine.channelClosed() == .fireClose(CloseInfo(code: .noStatusReceived, reason: "", wasClean: true, initiator: .peer)))
    }

    @Test("as a server: the peer's close is answered and TCP ended by us; a clean close follows")
    func serverAnswersCloseAndEndsTCP() {
        var machine = ConnectionStateMachine(role: .server)
        #expect(machine.upgradeSucceeded() == .fireOpen)
        #expect(machine.closeFrameReceived(code: CloseCode(4001), reason: "bye") == .answerCloseAndCloseChannel(code: CloseCode(4001)))
        #expect(machine.readyState == .closing)
        #expect(machine.channelClosed() == .fireClose(CloseInfo(code: CloseCode(4001), reason: "bye", wasClean: true, initiator: .peer)))
    }

    @Test("as a server: our close, then the client's answer, ends TCP; a close without a code too")
    func serverStartsClose() {
        var machine = ConnectionStateMachine(role: .server)
        _ = machine.upgradeSucceeded()
        #expect(machine.closeRequested(code: .goingAway, reason: "") == .sendClose(code: .goingAway, reason: ""))
        #expect(machine.closeFrameReceived(code: .goingAway, reason: "") == .closeChannel)
        #expect(machine.channelClosed() == .fireClose(CloseInfo(code: .goingAway, reason: "", wasClean: true, initiator: .user)))

        var silent = ConnectionStateMachine(role: .server)
        _ = silent.upgradeSucceeded()
        #expect(silent.closeFrameReceived(code: nil, reason: "") == .answerCloseAndCloseChannel(code: nil))
    }

    @Test("a keepalive timeout sends 1011 and ends TCP at once; the close is 1006, not clean")
    func keepaliveTimeout() {
        let error = ConnectionError(.timeout, "no pong")
        for role in [ConnectionRole.client, .server] {
            var machine = ConnectionStateMachine(role: role)
            _ = machine.upgradeSucceeded()
            #expect(machine.keepaliveTimedOut(error) == .failConnectionAndCloseChannel(error, code: .internalError, reason: "keepalive ping timeout"))
            #expect(machine.keepaliveTimedOut(error) == .none)
            #expect(machine.channelClosed() == .fireClose(.abnormal(initiator: .protocolFailure)))
        }
    }

    @Test("exactly one close event, whatever follows")
    func exactlyOneClose() {
        var machine = ConnectionStateMachine()
        _ = machine.upgradeSucceeded()
        // Only the end of TCP and a connect failure can emit it (their action types are the
        // only ones with a close case); the other events here are there to disturb.
        _ = machine.closeRequested(code: .normalClosure, reason: "")
        _ = machine.closeTimedOut(ConnectionError(.timeout, "x"))
        var closes = [machine.channelClosed(), machine.channelClosed()].filter { $0 != .none }.count
        _ = machine.closeFrameReceived(code: .normalClosure, reason: "")
        closes += machine.connectFailed(ConnectionError(.connect, "x")) == .none ? 0 : 1
        _ = machine.closeTimedOut(ConnectionError(.timeout, "x"))
        #expect(closes == 1)
    }

    @Test("the failure reason fits in a close frame")
    func longViolationReason() {
        var machine = ConnectionStateMachine()
        _ = machine.upgradeSucceeded()
        let error = ConnectionError(.protocolViolation, String(repeating: "é", count: 100))
        guard case .failConnection(_, _, let reason) = machine.protocolViolated(error, code: .protocolError) else {
            Issue.record("expected failConnection")
            return
        }
        #expect(reason.utf8.count <= 123)
        #expect(reason.utf8.count == 122)
    }
}
