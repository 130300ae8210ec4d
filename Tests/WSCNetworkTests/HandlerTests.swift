import NIOConcurrencyHelpers
import NIOCore
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
    func openHandler(
        maximumMessageSize: Int = 1 << 20,
        keepalive: KeepaliveSettings? = nil,
        givesBackUnsent: Bool = false
    ) throws -> (EmbeddedChannel, WebSocketConnectionHandler, NIOLockedValueBox<[ConnectionEvent]>) {
        let (channel, handler, events) = try self.connectingHandler(
            maximumMessageSize: maximumMessageSize,
            keepalive: keepalive,
            givesBackUnsent: givesBackUnsent
        )
        try channel.pipeline.syncOperations.addHandler(FrameTap())
        try channel.pipeline.syncOperations.addHandler(handler)
        handler.upgraded(HandshakeValidation.Agreement(subprotocol: nil))
        handler.upgradeCompleted()
        return (channel, handler, events)
    }

    /// A client handler whose TCP connection is up, still waiting for the upgrade (not yet
    /// in the pipeline), and the events it emitted.
    func connectingHandler(
        maximumMessageSize: Int = 1 << 20,
        keepalive: KeepaliveSettings? = nil,
        givesBackUnsent: Bool = false
    ) throws -> (EmbeddedChannel, WebSocketConnectionHandler, NIOLockedValueBox<[ConnectionEvent]>) {
        let channel = EmbeddedChannel()
        let events = NIOLockedValueBox<[ConnectionEvent]>([])
        var configuration = ClientConfiguration(url: try WebSocketURL(parsing: "ws://127.0.0.1:1/"))
        configuration.maximumMessageSize = maximumMessageSize
        configuration.keepalive = keepalive
        configuration.givesBackUnsent = givesBackUnsent
        let handler = WebSocketConnectionHandler(
            settings: configuration.connectionSettings,
            eventLoop: channel.eventLoop
        ) { event in
            events.withLockedValue { $0.append(event) }
        }
        handler.connected(channel)
        return (channel, handler, events)
    }

    func frame(_ opcode: WebSocketOpcode, fin: Bool = true, _ bytes: [UInt8], rsv1: Bool = false) -> WebSocketFrame {
        WebSocketFrame(fin: fin, rsv1: rsv1, opcode: opcode, data: ByteBuffer(bytes: bytes))
    }

    /// The code of a close frame the handler wrote.
    ///
    /// The frames read hold unmasked data (see ``FrameTap``), with the key that masked them.
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
        #expect(
            events.withLockedValue { $0 }.contains {
                if case .error(let e) = $0 { e.kind == .protocolViolation } else { false }
            }
        )
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
        #expect(
            events.withLockedValue { $0 }.last
                == .close(CloseInfo(code: CloseCode(4001), reason: "bye", wasClean: true, initiator: .peer))
        )
    }

    @Test("keepalive: a ping each interval; answered, nothing more; unanswered, close 1011 and TCP ends")
    func keepalive() throws {
        let (channel, handler, events) = try self.openHandler(
            keepalive: KeepaliveSettings(interval: .seconds(1), timeout: .milliseconds(500))
        )
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(999))
        #expect(try channel.readOutbound(as: WebSocketFrame.self) == nil)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        let ping = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(ping.opcode == .ping && ping.maskKey != nil)
        try channel.writeInbound(self.frame(.pong, Array(ping.data.readableBytesView)))
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(500))
        #expect(try channel.readOutbound(as: WebSocketFrame.self) == nil)
        #expect(channel.isActive)

        channel.embeddedEventLoop.advanceTime(by: .milliseconds(500))
        let second = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(second.opcode == .ping && second.data != ping.data)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(500))
        #expect(self.closeCode(of: try channel.readOutbound(as: WebSocketFrame.self)) == 1011)
        #expect(!channel.isActive)
        handler.channelClosed()
        let all = events.withLockedValue { $0 }
        #expect(all.contains { if case .error(let e) = $0 { e.kind == .timeout } else { false } })
        #expect(all.last == .close(.abnormal(initiator: .protocolFailure)))
    }

    @Test("a batch of sends is one buffer of masked frames that decode back")
    func encodedBatch() throws {
        let (channel, handler) = try Self.openHandlerWritingBytes()
        let big = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        // Sizes that end the masking in each of its loops: 32 bytes at a time, then 8, then 1.
        let sent: [Message] = [
            .text("a"), .binary([]), .text(String(repeating: "é", count: 100)), .binary(big),
            .binary(Array(big[..<37])),
            .binary(Array(big[..<45])), .text("last"),
        ]
        handler.send(contentsOf: sent)
        let written = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)

        let (received, keys) = try Self.decodeMaskedFrames(written)
        #expect(received == sent)
        #expect(Set(keys.map { Array($0) }).count == sent.count)
        #expect(handler.status().statistics.messagesSent == sent.count)
    }

    @Test("the buffer of encoded frames is reused only once nothing else holds it: frames already written never change")
    func encodedBufferReuse() throws {
        let (channel, handler) = try Self.openHandlerWritingBytes()

        let first: [Message] = [.text("first batch"), .binary(Array(repeating: 1, count: 1000))]
        handler.send(contentsOf: first)
        let firstWritten = try #require(try channel.readOutbound(as: ByteBuffer.self))
        let firstBytes = Array(firstWritten.readableBytesView)
        // The first buffer is still held here: the second batch must go elsewhere.
        let second: [Message] = [.binary(Array(repeating: 2, count: 3000)), .text("second batch")]
        handler.send(contentsOf: second)
        let secondWritten = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(Array(firstWritten.readableBytesView) == firstBytes)
        #expect(try Self.decodeMaskedFrames(firstWritten).messages == first)
        #expect(try Self.decodeMaskedFrames(secondWritten).messages == second)

        // Nothing holds the third batch's buffer when the fourth is encoded: it is reused.
        let third: [Message] = [.text(String(repeating: "x", count: 500))]
        handler.send(contentsOf: third)
        #expect(
            try Self.decodeMaskedFrames(try #require(try channel.readOutbound(as: ByteBuffer.self))).messages == third
        )
        let fourth: [Message] = [.text("fourth"), .binary([9, 8, 7])]
        handler.send(contentsOf: fourth)
        #expect(
            try Self.decodeMaskedFrames(try #require(try channel.readOutbound(as: ByteBuffer.self))).messages == fourth
        )
    }

    @Test(
        "a payload in a buffer of its own is masked in place and written as it is; a buffer held elsewhere is left as it was"
    )
    func payloadBuffers() throws {
        let (channel, handler) = try Self.openHandlerWritingBytes()
        let bytes = (0..<70_001).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let kept = ByteBuffer(bytes: bytes[..<45])
        var payloads = [ByteBuffer(bytes: bytes), kept]
        let address = payloads[0].withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        handler.send(binary: consume payloads)

        var written: [ByteBuffer] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            written.append(buffer)
        }
        // A header, then the payload itself: the first is the very memory handed over.
        #expect(written.map(\.readableBytes) == [14, bytes.count, 6, 45])
        #expect(written[1].withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) } == address)
        #expect(Array(kept.readableBytesView) == Array(bytes[..<45]))
        let all = written.reduce(into: ByteBuffer()) { all, buffer in all.writeImmutableBuffer(buffer) }
        #expect(try Self.decodeMaskedFrames(all).messages == [.binary(bytes), .binary(Array(bytes[..<45]))])
        #expect(handler.status().statistics.messagesSent == 2)
    }

    @Test("payloads in buffers of their own, sent before the open, follow the messages sent before them")
    func payloadBuffersQueued() throws {
        let channel = EmbeddedChannel()
        let configuration = ClientConfiguration(url: try WebSocketURL(parsing: "ws://127.0.0.1:1/"))
        let handler = WebSocketConnectionHandler(
            settings: configuration.connectionSettings,
            eventLoop: channel.eventLoop,
            emitBatch: { _ in }
        )
        try channel.pipeline.syncOperations.addHandler(handler)
        handler.connected(channel)
        handler.send(contentsOf: [.text("first")])
        var payloads = [ByteBuffer(bytes: [1, 2, 3])]
        let address = payloads[0].withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        handler.send(binary: consume payloads)
        handler.send(contentsOf: [.text("last")])
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)

        handler.upgraded(HandshakeValidation.Agreement(subprotocol: nil))
        handler.upgradeCompleted()
        var written: [ByteBuffer] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            written.append(buffer)
        }
        // The first frame encoded, the payload's header, the payload (not copied while it waited), the last frame.
        #expect(written.map(\.readableBytes) == [2 + 4 + 5, 6, 3, 2 + 4 + 4])
        #expect(written[2].withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) } == address)
        let all = written.reduce(into: ByteBuffer()) { all, buffer in all.writeImmutableBuffer(buffer) }
        #expect(try Self.decodeMaskedFrames(all).messages == [.text("first"), .binary([1, 2, 3]), .text("last")])
    }

    /// A client handler on an open connection, whose written bytes are read as they are,
    /// with messages up to 1 MiB.
    private static func openHandlerWritingBytes() throws -> (EmbeddedChannel, WebSocketConnectionHandler) {
        let channel = EmbeddedChannel()
        var configuration = ClientConfiguration(url: try WebSocketURL(parsing: "ws://127.0.0.1:1/"))
        configuration.maximumMessageSize = 1 << 20
        let handler = WebSocketConnectionHandler(
            settings: configuration.connectionSettings,
            eventLoop: channel.eventLoop,
            emitBatch: { _ in }
        )
        try channel.pipeline.syncOperations.addHandler(handler)
        handler.connected(channel)
        handler.upgraded(HandshakeValidation.Agreement(subprotocol: nil))
        handler.upgradeCompleted()
        return (channel, handler)
    }

    /// The messages in a buffer of masked frames, and the key of each, through NIO's decoder.
    private static func decodeMaskedFrames(
        _ written: ByteBuffer
    ) throws -> (messages: [Message], keys: [WebSocketMaskingKey]) {
        let decoder = EmbeddedChannel(handler: ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 20)))
        try decoder.writeInbound(written)
        var received: [Message] = []
        var keys: [WebSocketMaskingKey] = []
        while var frame = try decoder.readInbound(as: WebSocketFrame.self) {
            #expect(frame.fin && !frame.rsv1)
            let key = try #require(frame.maskKey)
            keys.append(key)
            frame.data.webSocketUnmask(key)
            let bytes = Array(frame.data.readableBytesView)
            received.append(frame.opcode == .text ? .text(String(decoding: bytes, as: UTF8.self)) : .binary(bytes))
        }
        return (received, keys)
    }

    @Test("the messages of one burst of reads leave as one batch of events; other events at once")
    func eventBatches() throws {
        let channel = EmbeddedChannel()
        let batches = NIOLockedValueBox<[[ConnectionEvent]]>([])
        let configuration = ClientConfiguration(url: try WebSocketURL(parsing: "ws://127.0.0.1:1/"))
        let handler = WebSocketConnectionHandler(
            settings: configuration.connectionSettings,
            eventLoop: channel.eventLoop,
            emitBatch: { batch in
                batches.withLockedValue { $0.append(batch) }
            }
        )
        try channel.pipeline.syncOperations.addHandler(FrameTap())
        try channel.pipeline.syncOperations.addHandler(handler)
        handler.connected(channel)
        handler.upgraded(HandshakeValidation.Agreement(subprotocol: nil))
        handler.upgradeCompleted()
        batches.withLockedValue { $0.removeAll() }
        for text in ["one", "two", "three"] {
            channel.pipeline.fireChannelRead(self.frame(.text, Array(text.utf8)))
        }
        #expect(batches.withLockedValue { $0 }.isEmpty)
        channel.pipeline.fireChannelReadComplete()
        #expect(
            batches.withLockedValue { $0 } == [
                [.message(.text("one")), .message(.text("two")), .message(.text("three"))]
            ]
        )
        channel.pipeline.fireChannelRead(self.frame(.text, Array("four".utf8)))
        channel.pipeline.fireChannelRead(self.frame(.ping, [7]))
        #expect(batches.withLockedValue { $0 }.last == [.message(.text("four")), .ping([7])])
    }

    @Test("pings and pongs read are not traffic for the idle wait; a burst with a message is")
    func controlFramesAreNotTraffic() throws {
        let (channel, handler, _) = try self.openHandler()
        let before = handler.status().lastTraffic
        channel.pipeline.fireChannelRead(self.frame(.ping, [1]))
        channel.pipeline.fireChannelRead(self.frame(.pong, [2]))
        channel.pipeline.fireChannelReadComplete()
        #expect(handler.status().lastTraffic == before)
        channel.pipeline.fireChannelRead(self.frame(.text, Array("hi".utf8)))
        channel.pipeline.fireChannelReadComplete()
        #expect(handler.status().lastTraffic > before)
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
