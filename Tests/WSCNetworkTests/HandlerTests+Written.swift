import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing
import WSCCore

@testable import WSCNetwork

/// What a connection tells its session about the end of its sending: everything written
/// (`-w`), and what was never sent when it was given up.
extension HandlerTests {
    @Test("whenWritten completes once what was handed over is written, and at once on a connection that is over")
    func whenWritten() throws {
        let (channel, handler, _) = try self.openHandler()
        handler.send(.text("first"))
        let written = channel.eventLoop.makePromise(of: Void.self)
        let done = NIOLockedValueBox(false)
        written.futureResult.whenSuccess { done.withLockedValue { $0 = true } }
        handler.whenWritten(written)
        #expect(done.withLockedValue { $0 })
        let frame = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(String(buffer: frame.data) == "first")
        handler.channelClosed()
        let late = channel.eventLoop.makePromise(of: Void.self)
        let lateDone = NIOLockedValueBox(false)
        late.futureResult.whenSuccess { lateDone.withLockedValue { $0 = true } }
        handler.whenWritten(late)
        #expect(lateDone.withLockedValue { $0 })
    }

    @Test(
        "without --reconnect, sends waiting for the open come back as unsent when the connection is given up, at once"
    )
    func givenUpWhileConnecting() throws {
        let (_, handler, events) = try self.connectingHandler()
        handler.send(.text("A"))
        handler.send(.text("B"))
        #expect(events.withLockedValue { $0 }.isEmpty)
        // Given up before the open (the time limit, Ctrl-C): said before TCP has ended.
        handler.close(code: .normalClosure, reason: "")
        #expect(events.withLockedValue { $0 } == [.unsent([.text("A"), .text("B")])])
    }
}
