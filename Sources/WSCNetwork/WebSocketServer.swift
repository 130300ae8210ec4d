import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import WSCCore

/// A WebSocket server (`wsc -l`): accepts any number of clients and reports their events.
///
/// With `echo` on, every data message is sent back as received: same type, same bytes.
public final class WebSocketServer: Sendable {
    /// The listening channel.
    private let channel: Channel
    /// The address it listens on (with the real port when 0 was asked for).
    public let localAddress: SocketAddress

    private init(channel: Channel, localAddress: SocketAddress) {
        self.channel = channel
        self.localAddress = localAddress
    }

    /// The port it listens on.
    public var port: Int { self.localAddress.port ?? 0 }

    /// Starts listening; events carry the client's id (1, 2, …).
    public static func start(
        host: String,
        port: Int,
        echo: Bool,
        maximumMessageSize: Int = 64 << 20,
        on group: EventLoopGroup,
        events: @escaping @Sendable (_ client: Int, ConnectionEvent) -> Void
    ) -> EventLoopFuture<WebSocketServer> {
        let ids = ManagedAtomicCounter()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                let id = ids.next()
                let upgrader = NIOTypedWebSocketServerUpgrader<Bool>(
                    maxFrameSize: min(maximumMessageSize, Int(UInt32.max)),
                    shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
                    upgradePipelineHandler: { channel, request in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(
                                NIOWebSocketFrameAggregator(
                                    minNonFinalFragmentSize: 0,
                                    maxAccumulatedFrameCount: Int.max,
                                    maxAccumulatedFrameSize: maximumMessageSize
                                )
                            )
                            try channel.pipeline.syncOperations.addHandler(
                                ServerConnectionHandler(id: id, echo: echo, events: events)
                            )
                            events(id, .open(OpenInfo(url: request.uri, subprotocol: nil, extensions: [])))
                            return true
                        }
                    }
                )
                let configuration = NIOUpgradableHTTPServerPipelineConfiguration(
                    upgradeConfiguration: NIOTypedHTTPServerUpgradeConfiguration<Bool>(
                        upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(NotWebSocketHandler())
                                return false
                            }
                        }
                    )
                )
                return channel.eventLoop.makeCompletedFuture {
                    _ = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: configuration)
                }
            }
        return bootstrap.bind(host: host, port: port).flatMapThrowing { channel in
            guard let address = channel.localAddress else {
                throw ChannelError.unknownLocalAddress
            }
            return WebSocketServer(channel: channel, localAddress: address)
        }
    }

    /// Stops listening.
    public func close() -> EventLoopFuture<Void> {
        self.channel.close()
    }
}

/// Hands out client ids from any thread.
private final class ManagedAtomicCounter: Sendable {
    private let value = NIOLockedValueBox(0)

    func next() -> Int {
        self.value.withLockedValue { value in
            value += 1
            return value
        }
    }
}

/// Answers plain HTTP requests with 426 Upgrade Required.
private final class NotWebSocketHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = self.unwrapInboundIn(data) else {
            return
        }
        let body = "This is a WebSocket server (wsc). Connect with a WebSocket client.\n"
        var headers = HTTPHeaders([("Content-Type", "text/plain"), ("Connection", "close")])
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        headers.add(name: "Upgrade", value: "websocket")
        let head = HTTPResponseHead(version: .http1_1, status: .upgradeRequired, headers: headers)
        context.write(self.wrapOutboundOut(.head(head)), promise: nil)
        context.write(self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }
}
