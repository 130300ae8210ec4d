import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing
import WSCCore

@testable import WSCNetwork

#if canImport(Glibc)
    import Glibc
#endif

/// What a connection that gives back unsent sends (`--reconnect`) hands back, and in which order.
extension HandlerTests {
    @Test(
        "sends queued before the close, and sends made while the connection closes, come back in the order they were made; a queued file says it was not sent"
    )
    func givenBackInOrder() throws {
        let (_, handler, events) = try self.connectingHandler(givesBackUnsent: true)
        let path = "/tmp/wsc-giving-back-\(getpid()).bin"
        try writeFile(path, Array(repeating: 7, count: 1000))
        defer { removeFile(path) }
        // Still connecting: A, file g and B wait for the open.
        handler.send(.text("A"))
        handler.send(try OutgoingFile(path: path, displayName: "g", kind: .binary))
        handler.send(.text("B"))
        // The session gives up on this connection; C is made while it closes.
        handler.close(code: .goingAway, reason: "")
        handler.send(.text("C"))
        handler.channelClosed()
        // Made after the end: D goes back at once, after the others.
        handler.send(.text("D"))
        let all = events.withLockedValue { $0 }
        let unsent = all.flatMap { event -> [Message] in
            if case .unsent(let messages) = event { messages } else { [] }
        }
        #expect(unsent == [.text("A"), .text("B"), .text("C"), .text("D")])
        #expect(all.contains(.error(ConnectionError(.input, "'g' not sent: the connection ended before its turn"))))
    }
}
