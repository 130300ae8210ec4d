import NIOCore
import NIOHTTP1

/// Keeps the status line of the proxy's answer to `CONNECT`, so a refusal can say what it was.
final class ProxyAnswerRecorder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias InboundOut = HTTPClientResponsePart

    private let box: NIOLoopBoundBox<String?>

    init(box: NIOLoopBoundBox<String?>) {
        self.box = box
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = self.unwrapInboundIn(data) {
            self.box.value = "\(head.version) \(head.status.code) \(head.status.reasonPhrase)"
        }
        context.fireChannelRead(data)
    }
}
