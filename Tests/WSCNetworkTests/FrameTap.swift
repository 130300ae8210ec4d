import NIOCore
import NIOEmbedded
import NIOWebSocket

/// Turns the bytes a handler writes back into frames, at the head of a test's pipeline,
/// so that a test reads what went on the wire as `WebSocketFrame`s.
///
/// Each frame's payload is unmasked and its key kept, so a test sees the bytes sent and
/// whether (and how) they were masked. A write's promise completes with the last frame
/// it finished.
final class FrameTap: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = WebSocketFrame

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
