import NIOCore
import NIOHTTP1
import WSCCore

/// Reports the upgrade request and response heads as they pass, for `-v`.
///
/// Sits between the HTTP codec and the upgrade handler, and leaves with the codec.
final class HandshakeTraceHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias InboundOut = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    private let emit: @Sendable (ConnectionEvent) -> Void

    init(emit: @escaping @Sendable (ConnectionEvent) -> Void) {
        self.emit = emit
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .head(let head) = self.unwrapOutboundIn(data) {
            self.emit(
                .handshake(
                    HandshakeTrace(
                        isRequest: true,
                        startLine: "\(head.method.rawValue) \(head.uri) \(head.version)",
                        headers: head.headers.map { HeaderField(name: $0.name, value: $0.value) }
                    )
                )
            )
        }
        context.write(data, promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = self.unwrapInboundIn(data) {
            self.emit(
                .handshake(
                    HandshakeTrace(
                        isRequest: false,
                        startLine: "\(head.version) \(head.status.code) \(head.status.reasonPhrase)",
                        headers: head.headers.map { HeaderField(name: $0.name, value: $0.value) }
                    )
                )
            )
        }
        context.fireChannelRead(data)
    }
}
