import NIOCore
import NIOHTTP1
import WSCCore

/// Answers a request the server did not upgrade, then closes the connection.
///
/// The answer is 426 for plain HTTP, 403 for an Origin not allowed, 400 for a broken WebSocket
/// request.
///
/// NIO's upgrade handler keeps the parts of a request that asked for an upgrade (they never
/// reach this handler), so the head comes from ``RequestHeadRecorder``, and such a request
/// is answered as soon as this handler joins the pipeline. A plain request is replayed to
/// it, and answered at its end.
final class UpgradeRefusalHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let policy: ServerHandshakePolicy
    private let head: HTTPRequestHead?
    private let report: @Sendable (ServerHandshakePolicy.Refusal) -> Void
    private var answered = false

    init(
        policy: ServerHandshakePolicy,
        head: HTTPRequestHead?,
        report: @escaping @Sendable (ServerHandshakePolicy.Refusal) -> Void
    ) {
        self.policy = policy
        self.head = head
        self.report = report
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if let head = self.head, head.headers.contains(name: "upgrade") {
            self.answer(for: head, context: context)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head, .body:
            break
        case .end:
            guard let head = self.head else {
                preconditionFailure("the request head passes the recorder before any request is refused")
            }
            self.answer(for: head, context: context)
        }
    }

    private func answer(for head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard !self.answered else {
            return
        }
        self.answered = true
        let headers = head.headers.map { HeaderField(name: $0.name, value: $0.value) }
        let refusal = self.policy.refusal(requestMethod: head.method.rawValue, requestHeaders: headers)
        self.report(refusal)
        let body = refusal.reason + "\n"
        var responseHeaders = HTTPHeaders([("Content-Type", "text/plain; charset=utf-8"), ("Connection", "close")])
        responseHeaders.add(name: "Content-Length", value: String(body.utf8.count))
        switch refusal.status {
        case 426:
            responseHeaders.add(name: "Upgrade", value: "websocket")
        case 400:
            responseHeaders.add(name: "Sec-WebSocket-Version", value: "13")
        default:
            break
        }
        let response = HTTPResponseHead(
            version: .http1_1,
            status: HTTPResponseStatus(statusCode: refusal.status),
            headers: responseHeaders
        )
        context.write(self.wrapOutboundOut(.head(response)), promise: nil)
        context.write(
            self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))),
            promise: nil
        )
        let channel = context.channel
        context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }
}
