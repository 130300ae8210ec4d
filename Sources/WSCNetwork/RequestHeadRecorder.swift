import NIOCore
import NIOHTTP1

/// Keeps the first request head of a connection for ``UpgradeRefusalHandler``.
///
/// Then it leaves the pipeline.
final class RequestHeadRecorder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart

    private let box: NIOLoopBoundBox<HTTPRequestHead?>

    init(box: NIOLoopBoundBox<HTTPRequestHead?>) {
        self.box = box
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = self.unwrapInboundIn(data) {
            self.box.value = head
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        context.fireChannelRead(data)
    }
}
