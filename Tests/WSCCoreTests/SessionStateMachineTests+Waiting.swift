import Testing
import WSCCore

/// The wait after the end of input, `--count`/`--expect`, and what waits for the next connection.
extension SessionStateMachineTests {
    static func fresh(
        afterInput: AfterInput = .closeWhenIdle(.seconds(2)),
        reconnection: Reconnection? = nil,
        limit: ReceiveLimit? = nil
    ) -> Machine {
        Machine(interactive: false, afterInput: afterInput, reconnection: reconnection, limit: limit, now: Self.t0)
    }

    @Test("idle: the check waits for quiet on both sides, looks again a full idle later when busy, then closes")
    func idle() {
        var machine = Self.fresh()
        _ = machine.connectionOpened(at: Self.at(0))
        #expect(machine.inputEnded(at: Self.at(100)) == .checkIdle(at: Self.at(2100)))
        // A message came meanwhile: the deadline moves.
        #expect(machine.messageReceived(.text("reply"), at: Self.at(1000)) == .show)
        #expect(machine.idleCheckDue(at: Self.at(2100)) == .checkAgain(at: Self.at(3000)))
        #expect(machine.idleCheckDue(at: Self.at(3000)) == .checkStatus)
        #expect(
            machine.idleStatusChecked(busy: true, lastTraffic: Self.at(0), at: Self.at(3000))
                == .checkAgain(at: Self.at(5000))
        )
        #expect(machine.idleCheckDue(at: Self.at(5000)) == .checkStatus)
        // A frame went by (a file chunk): quiet is counted from it.
        #expect(
            machine.idleStatusChecked(busy: false, lastTraffic: Self.at(4000), at: Self.at(5000))
                == .checkAgain(at: Self.at(6000))
        )
        #expect(machine.idleCheckDue(at: Self.at(6000)) == .checkStatus)
        #expect(
            machine.idleStatusChecked(busy: false, lastTraffic: Self.at(4000), at: Self.at(6000)) == .close(Self.order)
        )
        #expect(machine.idleCheckDue(at: Self.at(8000)) == .stop)
    }

    @Test("idle: input that ends before the open waits for it; checks stop while down and start again at the next open")
    func idleAcrossConnections() {
        var machine = Self.fresh(reconnection: Reconnection())
        #expect(machine.inputEnded(at: Self.at(100)) == .none)
        #expect(machine.connectionOpened(at: Self.at(200)) == .showAndReleaseHeldInput(.checkIdle(at: Self.at(2200))))
        _ = machine.closeReceived(Self.dropped, at: Self.at(300), jitter: 0)
        #expect(machine.idleCheckDue(at: Self.at(2200)) == .stop)
        _ = machine.connectionEnded(at: Self.at(400))
        _ = machine.attemptDue(at: Self.at(900))
        #expect(machine.connectionOpened(at: Self.at(1000)) == .showAndReleaseHeldInput(.checkIdle(at: Self.at(3000))))
    }

    @Test("-w: the wait starts once everything is written, then closes; a drop before that asks again at the next open")
    func closeAfterInput() {
        var machine = Self.fresh(afterInput: .closeAfter(.seconds(1)), reconnection: Reconnection())
        _ = machine.connectionOpened(at: Self.at(0))
        #expect(machine.inputEnded(at: Self.at(100)) == .awaitWritten)
        _ = machine.closeReceived(Self.dropped, at: Self.at(150), jitter: 0)
        #expect(machine.connectionWritten(at: Self.at(160)) == .none)
        _ = machine.connectionEnded(at: Self.at(170))
        _ = machine.attemptDue(at: Self.at(700))
        #expect(machine.connectionOpened(at: Self.at(800)) == .showAndReleaseHeldInput(.awaitWritten))
        #expect(machine.connectionWritten(at: Self.at(900)) == .armCloseAfterInput(at: Self.at(1900)))
        #expect(machine.closeAfterInputDue(at: Self.at(1900)) == .close(Self.order))
    }

    @Test("--keep-open and --count wait for the server or the limit, not for idleness")
    func noWait() {
        var server = Self.fresh(afterInput: .waitForServer)
        _ = server.connectionOpened(at: Self.at(0))
        #expect(server.inputEnded(at: Self.at(100)) == .none)
        var counted = Self.fresh(limit: ReceiveLimit(count: 2, expectations: nil))
        _ = counted.connectionOpened(at: Self.at(0))
        #expect(counted.inputEnded(at: Self.at(100)) == .none)
        #expect(counted.messageReceived(.text("1"), at: Self.at(200)) == .show)
        #expect(counted.messageReceived(.text("2"), at: Self.at(300)) == .showAndClose(Self.order))
        #expect(counted.messageReceived(.text("3"), at: Self.at(400)) == .ignore)
        _ = counted.closeReceived(Self.userClean, at: Self.at(500), jitter: 0)
        _ = counted.connectionEnded(at: Self.at(600))
        #expect(counted.exitStatus == .success)
    }

    @Test("--expect: the patterns in order, then close")
    func expectations() throws {
        var machine = Self.fresh(
            limit: ReceiveLimit(count: nil, expectations: try ExpectationTracker(patterns: ["^a", "^b"]))
        )
        _ = machine.connectionOpened(at: Self.at(0))
        #expect(machine.messageReceived(.text("b first"), at: Self.at(10)) == .show)
        #expect(machine.messageReceived(.text("a"), at: Self.at(20)) == .show)
        #expect(machine.messageReceived(.text("b"), at: Self.at(30)) == .showAndClose(Self.order))
    }

    @Test("--reconnect: given back messages go first, in order, before what was sent while down")
    func outboxOrder() {
        var machine = Self.fresh(reconnection: Reconnection())
        _ = machine.connectionOpened(at: Self.at(0))
        #expect(machine.messagesGivenBack([.text("A")]) == .keep)
        _ = machine.closeReceived(Self.dropped, at: Self.at(10), jitter: 0)
        #expect(machine.sendRequested() == .keep)
        machine.keepForNextConnection([.message(.text("C"))])
        #expect(machine.messagesGivenBack([.text("B")]) == .keep)
        _ = machine.connectionEnded(at: Self.at(20))
        #expect(
            machine.attemptDue(at: Self.at(600))
                == .connect(sending: [.message(.text("A")), .message(.text("B")), .message(.text("C"))])
        )
    }

    @Test("without --reconnect, what a connection gives back is reported, and counts as input not sent")
    func givenBackWithoutReconnect() {
        var machine = Self.fresh()
        #expect(machine.messagesGivenBack([.text("a")]) == .report([.text("a")]))
        #expect(machine.timeLimitReached(at: Self.at(10)) == .showAndFinish(Self.quitBeforeClose))
        // Drained after the end: still reported.
        #expect(machine.messagesGivenBack([.text("b")]) == .report([.text("b")]))
        #expect(machine.exitStatus == .timeout)
    }
}
