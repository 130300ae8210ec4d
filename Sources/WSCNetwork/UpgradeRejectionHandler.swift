import NIOCore
import NIOHTTP1
import WSCCore

/// Collects a refused upgrade's answer: status line, headers and the first 4 KiB of the body.
final class UpgradeRejectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<UpgradeRejection>
    private var rejection: UpgradeRejection?
    private var isComplete = false

    init(promise: EventLoopPromise<UpgradeRejection>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.rejection = UpgradeRejection(
                status: Int(head.status.code),
                statusLine: "\(head.version) \(head.status.code) \(head.status.reasonPhrase)",
                headers: head.headers.map { HeaderField(name: $0.name, value: $0.value) },
                body: [],
                bodyTruncated: false
            )
        case .body(let buffer):
            guard var rejection = self.rejection else {
                return
            }
            let room = UpgradeRejection.bodyLimit - rejection.body.count
            rejection.body += buffer.readableBytesView.prefix(room)
            rejection.bodyTruncated = rejection.bodyTruncated || buffer.readableBytes > room
            self.rejection = rejection
        case .end:
            self.complete()
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.complete()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.complete()
    }

    private func complete() {
        guard !self.isComplete else {
            return
        }
        self.isComplete = true
        if let rejection = self.rejection {
            self.promise.succeed(rejection)
        } else {
            self.promise.fail(
                ConnectionError(.handshake, "the server closed the connection before answering the upgrade")
            )
        }
    }
}
