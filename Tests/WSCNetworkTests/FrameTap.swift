import NIOCore
import NIOEmbedded
import NIOWebSocket

@testable import WSCNetwork

/// The wire as frames, at the head of a test's pipeline: a test writes `WebSocketFrame`s
/// in, and reads what the handler wrote as `WebSocketFrame`s.
///
/// A frame written in goes on as its bytes on the wire (its payload as it is: masked
/// already when it has a key, as NIO's decoder gives frames). Each frame written out has
/// its payload unmasked and its key kept, so a test sees the bytes sent and whether (and
/// how) they were masked. A write's promise completes with the last frame it finished.
final class FrameTap: ChannelDuplexHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = WebSocketFrame

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = self.unwrapInboundIn(data)
        var bytes = ByteBuffer()
        bytes.writeWebSocketFrameHeader(
            fin: frame.fin,
            opcode: frame.opcode,
            maskKey: frame.maskKey,
            length: frame.data.readableBytes
        )
        let first = (frame.fin ? 0x80 : 0) | frame.reservedBits.rawValue | UInt8(webSocketOpcode: frame.opcode)
        bytes.setInteger(first, at: bytes.readerIndex)
        var payload = frame.data
        bytes.writeBuffer(&payload)
        context.fireChannelRead(self.wrapInboundOut(bytes))
    }

    /// NIO's own decoder, on a channel of its own.
    private let decoder = EmbeddedChannel(handler: ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 30)))

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let bytes = self.unwrapOutboundIn(data)
        do {
            try self.decoder.writeInbound(bytes)
            var frames: [WebSocketFrame] = []
            while var frame = try self.decoder.readInbound(as: WebSocketFrame.self) {
                if let key = frame.maskKey {
                    frame.data.webSocketUnmask(key)
                }
                frames.append(frame)
            }
            guard let last = frames.popLast() else {
                promise?.succeed()
                return
            }
            for frame in frames {
                context.write(self.wrapOutboundOut(frame), promise: nil)
            }
            context.write(self.wrapOutboundOut(last), promise: promise)
        } catch {
            promise?.fail(error)
            context.fireErrorCaught(error)
        }
    }
}
