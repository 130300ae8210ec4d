import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing
import WSCCore

@testable import WSCNetwork

/// The filter in front of the frame decoder, on an `EmbeddedChannel`: bytes in, the frames
/// NIO's decoder makes of what it passes on, and its events.
@Suite("Frames looked at as they come: oversized ones dropped, text checked")
struct InboundFrameFilterTests {
    /// Collects the frames decoded and the filter's events.
    final class Sink: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = WebSocketFrame
        var frames: [WebSocketFrame] = []
        var tooLong: [UInt64] = []
        /// How many frames had been decoded when the text was found not to be UTF-8.
        var notUTF8AfterFrames: [Int] = []

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            self.frames.append(self.unwrapInboundIn(data))
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if let event = event as? InboundFrameFilter.FrameTooLong {
                self.tooLong.append(event.length)
            }
            if event is InboundFrameFilter.TextNotUTF8 {
                self.notUTF8AfterFrames.append(self.frames.count)
            }
        }
    }

    func pipeline(limit: Int) throws -> (EmbeddedChannel, Sink) {
        let channel = EmbeddedChannel()
        let sink = Sink()
        // The decoder's own limit is far above: the filter is what keeps frames out.
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 30))
        )
        try InboundFrameFilter.insert(limit: limit, into: channel.pipeline.syncOperations)
        try channel.pipeline.syncOperations.addHandler(sink)
        return (channel, sink)
    }

    /// An unmasked frame as a server sends it.
    func wire(_ opcode: WebSocketOpcode, _ payload: [UInt8], fin: Bool = true) -> [UInt8] {
        var buffer = ByteBuffer()
        _ = payload.withUnsafeBytes { buffer.writeWebSocketFrame(fin: fin, opcode: opcode, maskKey: nil, payload: $0) }
        return Array(buffer.readableBytesView)
    }

    /// Feeds the bytes in pieces of these sizes, in turn.
    func feed(_ channel: EmbeddedChannel, _ bytes: [UInt8], pieces: [Int]) throws {
        var start = 0
        var piece = 0
        while start < bytes.count {
            let end = min(start + pieces[piece % pieces.count], bytes.count)
            try channel.writeInbound(ByteBuffer(bytes: bytes[start..<end]))
            start = end
            piece += 1
        }
    }

    @Test(
        "frame headers of every length form, read whole or cut anywhere",
        arguments: [0, 1, 125, 126, 65535, 65536, 300_000]
    )
    func headers(length: Int) {
        let bytes = self.wire(.binary, [UInt8](repeating: 1, count: length))
        let size = length < 126 ? 2 : length < 65536 ? 4 : 10
        #expect(FrameHeader(parsing: bytes) == FrameHeader(size: size, payloadLength: UInt64(length)))
        for cut in 0..<size {
            #expect(FrameHeader(parsing: bytes.prefix(cut)) == nil)
        }
        var masked = Array(bytes.prefix(size)) + [9, 9, 9, 9]
        masked[1] |= 0x80
        #expect(FrameHeader(parsing: masked) == FrameHeader(size: size + 4, payloadLength: UInt64(length)))
        #expect(FrameHeader(parsing: masked.dropLast()) == nil)
    }

    @Test(
        "a frame over the limit is dropped and said once; the frames around it, the close after it, are decoded",
        arguments: [[1_000_000], [1], [3, 7], [4096, 1], [65536]]
    )
    func dropsOnlyTheLongFrame(pieces: [Int]) throws {
        let (channel, sink) = try self.pipeline(limit: 1000)
        let big = [UInt8](repeating: 0x62, count: 70_000)
        let bytes =
            self.wire(.text, Array("before".utf8)) + self.wire(.binary, big)
            + self.wire(.text, [UInt8](repeating: 0x61, count: 1000))
            + self.wire(.connectionClose, [0x03, 0xF1])
        try self.feed(channel, bytes, pieces: pieces)
        #expect(sink.tooLong == [70_000])
        #expect(sink.frames.map(\.opcode) == [.text, .text, .connectionClose])
        #expect(sink.frames.map(\.data.readableBytes) == [6, 1000, 2])
        #expect(try channel.finish().isClean)
    }

    @Test("fragments each within the limit pass (the message's size is the assembler's to check)")
    func fragmentsPass() throws {
        let (channel, sink) = try self.pipeline(limit: 10)
        let bytes = self.wire(.text, Array("0123456789".utf8), fin: false) + self.wire(.continuation, Array("abc".utf8))
        try self.feed(channel, bytes, pieces: [5])
        #expect(sink.tooLong.isEmpty)
        #expect(sink.frames.map(\.data.readableBytes) == [10, 3])
    }

    /// Autobahn 6.4.1's message: valid, then a code point above U+10FFFF, then valid.
    static let parts: [[UInt8]] = [
        [0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5], [0xF4, 0x90, 0x80, 0x80],
        [0x65, 0x64, 0x69, 0x74, 0x65, 0x64],
    ]

    @Test("text that turns invalid within a frame is said at the chop that does it, before the frame is whole")
    func invalidWithinAFrame() throws {
        let (channel, sink) = try self.pipeline(limit: 1 << 20)
        let frame = self.wire(.text, Self.parts.flatMap { $0 })
        let headerSize = frame.count - Self.parts.joined().count
        try channel.writeInbound(ByteBuffer(bytes: frame[..<(headerSize + 11)]))
        #expect(sink.notUTF8AfterFrames.isEmpty)
        try channel.writeInbound(ByteBuffer(bytes: frame[(headerSize + 11)..<(headerSize + 15)]))
        #expect(sink.notUTF8AfterFrames == [0])
        // The bytes still pass: the frame is decoded whole, and nothing more is said.
        try channel.writeInbound(ByteBuffer(bytes: frame[(headerSize + 15)...]))
        #expect(sink.frames.count == 1 && sink.notUTF8AfterFrames == [0])
    }

    @Test("a masked text message (a client's) turns invalid at its second fragment, with a ping between")
    func invalidAcrossMaskedFragments() throws {
        let (channel, sink) = try self.pipeline(limit: 1 << 20)
        let key: WebSocketMaskingKey = [0x11, 0x22, 0x33, 0x44]
        func masked(_ opcode: WebSocketOpcode, _ payload: [UInt8], fin: Bool) -> ByteBuffer {
            var buffer = ByteBuffer()
            _ = payload.withUnsafeBytes {
                buffer.writeWebSocketFrame(fin: fin, opcode: opcode, maskKey: key, payload: $0)
            }
            return buffer
        }
        try channel.writeInbound(masked(.text, Self.parts[0], fin: false))
        try channel.writeInbound(masked(.ping, [0xFF, 0xFE], fin: true))
        #expect(sink.frames.count == 2 && sink.notUTF8AfterFrames.isEmpty)
        try channel.writeInbound(masked(.continuation, Self.parts[1], fin: false))
        #expect(sink.notUTF8AfterFrames == [2])
    }

    @Test("valid text cut anywhere, binary and compressed messages are not reported")
    func validText() throws {
        let text = Array("κόσμε, héllo, 😀 and plain ASCII".utf8)
        for cut in [1, 2, 3, 5, 7] {
            let (channel, sink) = try self.pipeline(limit: 1 << 20)
            try self.feed(
                channel,
                self.wire(.text, Array(text[..<10]), fin: false) + self.wire(.continuation, Array(text[10...])),
                pieces: [cut]
            )
            try self.feed(channel, self.wire(.binary, Self.parts.flatMap { $0 }), pieces: [cut])
            var compressed = ByteBuffer()
            _ = Self.parts[1].withUnsafeBytes {
                compressed.writeWebSocketFrame(fin: true, rsv1: true, opcode: .text, maskKey: nil, payload: $0)
            }
            try channel.writeInbound(compressed)
            #expect(sink.frames.count == 4 && sink.notUTF8AfterFrames.isEmpty)
        }
    }
}
