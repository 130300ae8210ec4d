import Testing
import WSCCore

@Suite("ReadPacing")
struct ReadPacingTests {
    static let limit = ReadPacing.unacknowledgedLimit

    @Test("reading pauses when the consumer is a whole limit behind and resumes below half of it")
    func consumerBehind() {
        var pacing = ReadPacing(echoes: false)
        for _ in 1..<Self.limit {
            #expect(pacing.messageDelivered(echoesFit: true) == .none)
        }
        #expect(pacing.messageDelivered(echoesFit: true) == .pauseReading)
        #expect(pacing.isPaused)
        #expect(pacing.messageDelivered(echoesFit: true) == .none)
        // limit + 1 wait; at half the limit reading is still paused, below it it resumes.
        #expect(pacing.messagesHandled(Self.limit / 2 + 1, echoesFit: true) == .none)
        #expect(pacing.unacknowledged == Self.limit / 2)
        #expect(pacing.messagesHandled(1, echoesFit: true) == .resumeReading)
        #expect(!pacing.isPaused)
        #expect(pacing.messagesHandled(Self.limit * 4, echoesFit: true) == .none)
        #expect(pacing.unacknowledged == 0)
    }

    @Test("without --echo, whether echoes fit does not matter")
    func echoesIgnored() {
        var pacing = ReadPacing(echoes: false)
        #expect(pacing.messageDelivered(echoesFit: false) == .none)
        #expect(pacing.roomChanged(echoesFit: false) == .none)
    }

    @Test("with --echo, reading pauses while echoes cannot be written and resumes when they can")
    func echoesWait() {
        var pacing = ReadPacing(echoes: true)
        #expect(pacing.messageDelivered(echoesFit: true) == .none)
        #expect(pacing.messageDelivered(echoesFit: false) == .pauseReading)
        #expect(pacing.roomChanged(echoesFit: false) == .none)
        #expect(pacing.roomChanged(echoesFit: true) == .resumeReading)
        #expect(pacing.roomChanged(echoesFit: true) == .none)
    }

    @Test("with --echo, both must have caught up before reading resumes")
    func bothMustCatchUp() {
        var pacing = ReadPacing(echoes: true)
        for _ in 0..<Self.limit {
            _ = pacing.messageDelivered(echoesFit: true)
        }
        #expect(pacing.isPaused)
        #expect(pacing.messagesHandled(Self.limit, echoesFit: false) == .none)
        #expect(pacing.roomChanged(echoesFit: true) == .resumeReading)
    }
}
