import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOWebSocket
import Testing
import WSCCore

@testable import WSCNetwork

@Suite("The connection handler as a server, on EmbeddedChannel")
struct ServerRoleHandlerTests {
    /// An open server-side handler (echo on or off) and the events it emitted.
    func openHandler(
        echo: Bool = false
    ) throws -> (EmbeddedChannel, WebSocketConnectionHandler, NIOLockedValueBox<[ConnectionEvent]>) {
        let channel = EmbeddedChannel()
        let events = NIOLockedValueBox<[ConnectionEvent]>([])
        let settings = ConnectionSettings(
            role: .server,
            url: "/",
            maximumMessageSize: 1 << 20,
            closeTimeout: .seconds(5),
            echo: echo
        )
        let handler = WebSocketConnectionHandler(settings: settings, eventLoop: channel.eventLoop) { event in
            events.withLockedValue { $0.append(event) }
        }
        try channel.pipeline.syncOperations.addHandler(FrameTap())
        try channel.pipeline.syncOperations.addHandler(handler)
        handler.connected(channel)
        handler.upgraded(HandshakeValidation.Agreement(subprotocol: nil), remoteAddress: "127.0.0.1:1")
        handler.upgradeCompleted()
        return (channel, handler, events)
    }

    /// A frame as a client sends it: masked.
    func masked(_ opcode: WebSocketOpcode, fin: Bool = true, _ bytes: [UInt8]) -> WebSocketFrame {
        let key: WebSocketMaskingKey = [0x11, 0x22, 0x33, 0x44]
        var data = ByteBuffer(bytes: bytes)
        data.webSocketMask(key)
        return WebSocketFrame(fin: fin, opcode: opcode, maskKey: key, data: data)
    }

    @Test("masked frames are unmasked and delivered, fragments too; the open event carries the address")
    func delivers() throws {
        let (channel, _, events) = try self.openHandler()
        try channel.writeInbound(self.masked(.text, fin: false, Array("hé".utf8)))
        try channel.writeInbound(self.masked(.continuation, Array("llo".utf8)))
        try channel.writeInbound(self.masked(.binary, [0, 255]))
        let all = events.withLockedValue { $0 }
        #expect(all.first == .open(OpenInfo(url: "/", subprotocol: nil, extensions: [], remoteAddress: "127.0.0.1:1")))
        #expect(all.dropFirst() == [.message(.text("héllo")), .message(.binary([0, 255]))])
    }

    @Test("an unmasked frame from a client: close 1002, itself unmasked")
    func unmasked() throws {
        let (channel, _, events) = try self.openHandler()
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: "hi")))
        let close = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(close.opcode == .connectionClose && close.maskKey == nil)
        var payload = close.data
        #expect(payload.readInteger(as: UInt16.self) == 1002)
        #expect(!events.withLockedValue { $0 }.contains { if case .message = $0 { true } else { false } })
    }

    @Test("with echo, each message goes back unmasked with the same opcode and bytes; pings get pongs")
    func echoes() throws {
        let (channel, _, _) = try self.openHandler(echo: true)
        try channel.writeInbound(self.masked(.binary, [1, 2, 3]))
        try channel.writeInbound(self.masked(.ping, Array("p".utf8)))
        let echo = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(echo.opcode == .binary && echo.maskKey == nil && Array(echo.data.readableBytesView) == [1, 2, 3])
        let pong = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(pong.opcode == .pong && pong.maskKey == nil && Array(pong.data.readableBytesView) == Array("p".utf8))
    }

    @Test("a payload buffer given to several clients goes to each unmasked, and stays as it was")
    func sharedPayloadBuffers() throws {
        let payload = ByteBuffer(bytes: Array(0..<200))
        for _ in 0..<2 {
            let (channel, handler, _) = try self.openHandler()
            handler.send(binary: [payload])
            let frame = try #require(try channel.readOutbound(as: WebSocketFrame.self))
            #expect(frame.opcode == .binary && frame.fin && frame.maskKey == nil && frame.data == payload)
        }
        #expect(Array(payload.readableBytesView) == Array(0..<200))
    }

    @Test("the client's close is answered with its code, then the server ends TCP: a clean close")
    func answersCloseAndEndsTCP() throws {
        let (channel, handler, events) = try self.openHandler()
        try channel.writeInbound(self.masked(.connectionClose, [0x03, 0xE8] + Array("done".utf8)))
        let answer = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        var payload = answer.data
        #expect(answer.maskKey == nil && payload.readInteger(as: UInt16.self) == 1000)
        #expect(!channel.isActive)
        handler.channelClosed()
        #expect(
            events.withLockedValue { $0 }.last
                == .close(CloseInfo(code: .normalClosure, reason: "done", wasClean: true, initiator: .peer))
        )
    }
}
