import NIOCore
import NIOConcurrencyHelpers
import NIOEmbedded
import NIOHTTP1
import NIOWebSocket
import Testing
import WSCCore
@testable import WSCNetwork

/// The channel handlers on an `EmbeddedChannel`: frames in, frames and events out.
@Suite("Handlers on EmbeddedChannel")
struct HandlerTests {
    /// An open client handler in an embedded pipeline, and the events it emitted.
    func openHandler(maximumMessageSize: Int = 1 << 20) throws -> (EmbeddedChannel, WebSocketConnectionHandler, NIOLockedValueBox<[ConnectionEvent]>) {
        let channel = EmbeddedChannel()
        let events = NIOLockedValueBox<[ConnectionEvent]>([])
        var configuration = ClientConfiguration(url: try WebSocketURL(parsing: "ws://127.0.0.1:1/"))
        configuration.maximumMessageSize = maximumMessageSize
        let handler = WebSocketConnectionHandler(settings: configuration.connectionSettings, eventLoop: channel.eventLoop) { event in
            events.withLockedValue { $0.append(event) }
        }
        try channel.pipeline.syncOperations.addHandler(handler)
        handler.connected(channel)
        handler.upgraded(HandshakeValidation.Agreement(subprotocol: nil, extensions: []))
        handler.upgradeCompleted()
        return (channel, handler, events)
    }

    func frame(_ opcode: WebSocketOpcode, fin: Bool = true, _ bytes: [UInt8], rsv1: Bool = false) -> WebSocketFrame {
        WebSocketFrame(fin: fin, rsv1: rsv1, opcode: opcode, data: ByteBuffer(bytes: bytes))
    }

    /// The code of a close frame the handler wrote (written frames hold unmasked data;
    /// the encoder masks on the wire).
    func closeCode(of frame: WebSocketFrame?) -> UInt16? {
        var data = frame?.data
        return data?.readInteger(as: UInt16.self)
    }

    @Test("a ping is answered by a masked pong with the same payload")
    func pong() throws {
        let (channel, _, events) = try self.openHandler()
        try channel.writeInbound(self.frame(.ping, [1, 2, 3]))
        let reply = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(reply.opcode == .pong)
        #expect(reply.maskKey != nil)
        #expect(Array(reply.data.readableBytesView) == [1, 2, 3])
        #expect(events.withLockedValue { $0 }.contains(.ping([1, 2, 3])))
    }

    @Test("a text message is delivered once complete; binary too")
    func messages() throws {
        let (channel, _, events) = try self.openHandler()
        try channel.writeInbound(self.frame(.text, fin: false, Array("ab".utf8)))
        #expect(!events.withLockedValue { $0 }.contains { if case .message = $0 { true } else { false } })
        try channel.writeInbound(self.frame(.continuation, Array("c".utf8)))
        try channel.writeInbound(self.frame(.binary, [9]))
        let messages = events.withLockedValue { $0 }.compactMap { if case .message(let m) = $0 { m } else { nil } }
        #expect(messages == [.text("abc"), .binary([9])])
    }

    @Test("reserved bits without an extension: close 1002")
    func reservedBits() throws {
        let (channel, _, events) = try self.openHandler()
        try channel.writeInbound(self.frame(.text, Array("x".utf8), rsv1: true))
        #expect(self.closeCode(of: try channel.readOutbound(as: WebSocketFrame.self)) == 1002)
        #expect(events.withLockedValue { $0 }.contains { if case .error(let e) = $0 { e.kind == .protocolViolation } else { false } })
    }

    @Test("a close frame with a reserved code: close 1002; with bad UTF-8 reason: 1007")
    func badCloseFrames() throws {
        let (channel, _, _) = try self.openHandler()
        try channel.writeInbound(self.frame(.connectionClose, [0x03, 0xED]))
        #expect(self.closeCode(of: try channel.readOutbound(as: WebSocketFrame.self)) == 1002)

        let (second, _, _) = try self.openHandler()
        try second.writeInbound(self.frame(.connectionClose, [0x03, 0xE8, 0xFF]))
        #expect(self.closeCode(of: try second.readOutbound(as: WebSocketFrame.self)) == 1007)
    }

    @Test("the peer's close is echoed, then TCP end gives a clean close event")
    func peerClose() throws {
        let (channel, handler, events) = try self.openHandler()
        try channel.writeInbound(self.frame(.connectionClose, [0x0F, 0xA1] + Array("bye".utf8)))
        #expect(self.closeCode(of: try channel.readOutbound(as: WebSocketFrame.self)) == 4001)
        try channel.close().wait()
        _ = try? channel.finish()
        // The close future reports to the handler in production; call it as the bootstrap does.
        handler.channelClosed()
        #expect(events.withLockedValue { $0 }.last == .close(CloseInfo(code: CloseCode(4001), reason: "bye", wasClean: true, initiator: .peer)))
    }

    @Test("a send is written as one masked text frame and counted")
    func sendWhileOpen() throws {
        let (channel, handler, _) = try self.openHandler()
        handler.send(.text("first"))
        let frame = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(frame.opcode == .text && frame.fin && frame.maskKey != nil)
        #expect(String(buffer: frame.data) == "first")
        #expect(handler.status().statistics.messagesSent == 1)
    }
}

@Suite("UpgradeRejectionHandler on EmbeddedChannel")
struct UpgradeRejectionHandlerTests {
    @Test("status line, headers and a body cut at 4 KiB")
    func collects() throws {
        let channel = EmbeddedChannel()
        let promise = channel.eventLoop.makePromise(of: UpgradeRejection.self)
        try channel.pipeline.syncOperations.addHandler(UpgradeRejectionHandler(promise: promise))
        let head = HTTPResponseHead(version: .http1_1, status: .unauthorized, headers: HTTPHeaders([("WWW-Authenticate", "Basic")]))
        try channel.writeInbound(HTTPClientResponsePart.head(head))
        try channel.writeInbound(HTTPClientResponsePart.body(ByteBuffer(repeating: 0x61, count: 3000)))
        try channel.writeInbound(HTTPClientResponsePart.body(ByteBuffer(repeating: 0x62, count: 3000)))
        try channel.writeInbound(HTTPClientResponsePart.end(nil))
        let rejection = try promise.futureResult.wait()
        #expect(rejection.status == 401)
        #expect(rejection.statusLine == "HTTP/1.1 401 Unauthorized")
        #expect(rejection.headers == [HeaderField(name: "WWW-Authenticate", value: "Basic")])
        #expect(rejection.body.count == 4096 && rejection.bodyTruncated)
        #expect(rejection.body.suffix(1) == [0x62])
    }

    @Test("the connection ends before an answer: a handshake error")
    func noAnswer() throws {
        let channel = EmbeddedChannel()
        let promise = channel.eventLoop.makePromise(of: UpgradeRejection.self)
        try channel.pipeline.syncOperations.addHandler(UpgradeRejectionHandler(promise: promise))
        try channel.close().wait()
        #expect(throws: ConnectionError.self) {
            try promise.futureResult.wait()
        }
    }
}
