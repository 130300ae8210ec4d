import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing
import WSCCore

@testable import WSCNetwork

/// The filter in front of the frame decoder, on an `EmbeddedChannel`: bytes in, the frames
/// NIO's decoder makes of what it passes on, and its events.
@Suite("Oversized frames are dropped as they come")
struct OversizedFrameFilterTests {
    /// Collects the frames decoded and the filter's events.
    final class Sink: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = WebSocketFrame
        var frames: [WebSocketFrame] = []
        var tooLong: [UInt64] = []

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            self.frames.append(self.unwrapInboundIn(data))
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if let event = event as? OversizedFrameFilter.FrameTooLong {
                self.tooLong.append(event.length)
            }
        }
    }

    func pipeline(limit: Int) throws -> (EmbeddedChannel, Sink) {
        let channel = EmbeddedChannel()
        let sink = Sink()
        // The decoder's own limit is far above: the filter is what keeps frames out.
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 30)))
        try OversizedFrameFilter.insert(limit: limit, into: channel.pipeline.syncOperations)
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

    @Test("frame headers of every length form, read whole or cut anywhere", arguments: [0, 1, 125, 126, 65535, 65536, 300_000])
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
            self.wire(.text, Array("before".utf8)) + self.wire(.binary, big) + self.wire(.text, [UInt8](repeating: 0x61, count: 1000))
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
}
