import Testing
import WSCCore

/// Every (state, event) pair of the connection state machine.
///
/// Each event has a test over every state where it can happen; the pairs that cannot
/// happen (a frame before the upgrade completes, a second upgrade) are each checked to
/// stop the process, in ``impossiblePairs(start:event:)``.
@Suite("ConnectionStateMachine")
struct ConnectionStateMachineTests {
    /// The states worth telling apart, each reached by real events from a new machine.
    enum Start: String, CaseIterable, Codable, CustomTestStringConvertible {
        case connecting
        case upgraded
        case open
        case closingByUser
        case closingByPeer
        case closingAbandoned
        case closingHandshakeDone
        case closingAfterViolation
        case closed

        var testDescription: String { self.rawValue }

        func machine(
            role: ConnectionRole = .client,
            echoes: Bool = false,
            givesBackUnsent: Bool = false
        ) -> ConnectionStateMachine {
            var machine = ConnectionStateMachine(role: role, echoes: echoes, givesBackUnsent: givesBackUnsent)
            switch self {
            case .connecting:
                break
            case .upgraded:
                _ = machine.upgradeSucceeded()
            case .open:
                machine.open()
            case .closingByUser:
                machine.open()
                _ = machine.closeRequested(code: .normalClosure, reason: "")
            case .closingByPeer:
                machine.open()
                _ = machine.closeFrameReceived(code: CloseCode(4001), reason: "bye")
            case .closingAbandoned:
                _ = machine.closeRequested(code: .normalClosure, reason: "")
            case .closingHandshakeDone:
                machine.open()
                _ = machine.closeRequested(code: .normalClosure, reason: "")
                _ = machine.closeFrameReceived(code: .normalClosure, reason: "ok")
            case .closingAfterViolation:
                machine.open()
                _ = machine.protocolViolated(ConnectionError(.protocolViolation, "bad"), code: .protocolError)
            case .closed:
                machine.open()
                _ = machine.channelClosed()
            }
            return machine
        }

        var machine: ConnectionStateMachine { self.machine() }

        var readyState: ReadyState {
            switch self {
            case .connecting, .upgraded: .connecting
            case .open: .open
            case .closingByUser, .closingByPeer, .closingAbandoned, .closingHandshakeDone, .closingAfterViolation:
                .closing
            case .closed: .closed
            }
        }

        /// Whether the close handshake started with our close frame sent (or answered).
        var isClosingAfterOpen: Bool {
            switch self {
            case .closingByUser, .closingByPeer, .closingHandshakeDone, .closingAfterViolation: true
            case .connecting, .upgraded, .open, .closingAbandoned, .closed: false
            }
        }
    }

    /// Every event, to drive a machine by name (in the tests of impossible pairs).
    enum Event: String, CaseIterable, Codable, CustomTestStringConvertible {
        case channelConnected, redirectReceived, upgradeSucceeded, upgradeCompleted, connectFailed
        case sendRequested, controlFrameRequested, fileChunkRead, fileStreamEnded, closeRequested
        case dataFrameReceived, messageReceived, pingReceived, pongReceived, closeFrameReceived, protocolViolated
        case keepaliveTimerFired, keepaliveTimedOut, closeTimedOut, transportFailed, channelClosed

        var testDescription: String { self.rawValue }

        func happen(to machine: inout ConnectionStateMachine) {
            let error = ConnectionError(.protocolViolation, "x")
            switch self {
            case .channelConnected: _ = machine.channelConnected()
            case .redirectReceived: _ = machine.redirectReceived()
            case .upgradeSucceeded: _ = machine.upgradeSucceeded()
            case .upgradeCompleted: _ = machine.upgradeCompleted()
            case .connectFailed: _ = machine.connectFailed(error)
            case .sendRequested: _ = machine.sendRequested()
            case .controlFrameRequested: _ = machine.controlFrameRequested()
            case .fileChunkRead: _ = machine.fileChunkRead()
            case .fileStreamEnded: _ = machine.fileStreamEnded()
            case .closeRequested: _ = machine.closeRequested(code: .normalClosure, reason: "")
            case .dataFrameReceived: _ = machine.dataFrameReceived()
            case .messageReceived: _ = machine.messageReceived()
            case .pingReceived: _ = machine.pingReceived()
            case .pongReceived: _ = machine.pongReceived()
            case .closeFrameReceived: _ = machine.closeFrameReceived(code: .normalClosure, reason: "")
            case .protocolViolated: _ = machine.protocolViolated(error, code: .protocolError)
            case .keepaliveTimerFired: _ = machine.keepaliveTimerFired()
            case .keepaliveTimedOut: _ = machine.keepaliveTimedOut(error)
            case .closeTimedOut: _ = machine.closeTimedOut(error)
            case .transportFailed: _ = machine.transportFailed(error)
            case .channelClosed: _ = machine.channelClosed()
            }
        }

        /// The states in which this event cannot happen: the machine stops the process.
        var impossibleIn: [Start] {
            let afterOpening: [Start] = [
                .upgraded, .open, .closingByUser, .closingByPeer, .closingHandshakeDone, .closingAfterViolation,
            ]
            switch self {
            case .channelConnected, .redirectReceived, .upgradeSucceeded:
                return afterOpening
            case .upgradeCompleted:
                return [
                    .connecting, .open, .closingByUser, .closingByPeer, .closingHandshakeDone, .closingAfterViolation,
                ]
            case .connectFailed:
                return [.open, .closingByUser, .closingByPeer, .closingHandshakeDone, .closingAfterViolation]
            case .dataFrameReceived, .messageReceived, .pingReceived, .pongReceived, .closeFrameReceived,
                .protocolViolated,
                .fileChunkRead, .fileStreamEnded, .keepaliveTimerFired, .keepaliveTimedOut:
                return [.connecting, .upgraded]
            case .sendRequested, .controlFrameRequested, .closeRequested, .closeTimedOut, .transportFailed,
                .channelClosed:
                return []
            }
        }

        /// The states in which this event can happen.
        var possibleIn: [Start] { Start.allCases.filter { !self.impossibleIn.contains($0) } }
    }

    static let failure = ConnectionError(.connect, "refused")
    static let violation = ConnectionError(.protocolViolation, "protocol error: bad frame")

    static let impossible: [(Start, Event)] = Event.allCases.flatMap { event in event.impossibleIn.map { ($0, event) } }

    @Test("each start state has the expected readyState and send gate", arguments: Start.allCases)
    func readyStates(start: Start) {
        #expect(start.machine.readyState == start.readyState)
        let gate: SendGate =
            switch start.readyState {
            case .connecting: .hold
            case .open: .write
            case .closing, .closed: .refuse
            }
        #expect(start.machine.sendGate == gate)
    }

    @Test("an event that cannot happen in a state stops the process", arguments: Self.impossible)
    func impossiblePairs(start: Start, event: Event) async {
        await #expect(processExitsWith: .failure) { [start, event] in
            var machine = start.machine
            event.happen(to: &machine)
        }
    }

    @Test("exactly one close event, whatever follows")
    func exactlyOneClose() {
        var machine = ConnectionStateMachine()
        machine.open()
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
        machine.open()
        let error = ConnectionError(.protocolViolation, String(repeating: "é", count: 100))
        guard case .failConnection(_, _, let reason) = machine.protocolViolated(error, code: .protocolError) else {
            Issue.record("expected failConnection")
            return
        }
        #expect(reason.utf8.count <= 123)
        #expect(reason.utf8.count == 122)
    }
}

extension ConnectionStateMachine {
    /// Upgrades and opens a new machine, as the handler does.
    mutating func open() {
        #expect(self.upgradeSucceeded() == .awaitCompletion)
        #expect(self.upgradeCompleted() == .fireOpen)
    }
}
