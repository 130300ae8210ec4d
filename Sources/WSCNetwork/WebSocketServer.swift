import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import WSCCore

/// A WebSocket server (`wsc --listen`) that accepts any number of clients.
///
/// Each client is run by the same handler and state machine as our own client connections, in the
/// server role.
///
/// Each accepted client gets an id (1, 2, …) and a ``WebSocketConnection`` to send on;
/// its events, and refused requests, arrive through the `events` closure.
public final class WebSocketServer: Sendable {
    /// The listening channel.
    private let channel: Channel
    /// The address it listens on (with the real port when 0 was asked for).
    public let localAddress: SocketAddress
    /// Whether it serves `wss://`.
    public let isSecure: Bool

    private init(channel: Channel, localAddress: SocketAddress, isSecure: Bool) {
        self.channel = channel
        self.localAddress = localAddress
        self.isSecure = isSecure
    }

    /// The port it listens on.
    public var port: Int { self.localAddress.port ?? 0 }

    /// The URL clients connect to, e.g. `ws://127.0.0.1:8080/`, `wss://[::1]:8443/` or `ws+unix:///run/s.sock:/`.
    public var url: String {
        if case .unixDomainSocket = self.localAddress {
            return "ws+unix://\(self.localAddress.displayText):/"
        }
        return "\(self.isSecure ? "wss" : "ws")://\(self.localAddress.displayText)/"
    }

    /// Starts listening.
    ///
    /// Fails with a `.tls` ``ConnectionError`` when the certificate cannot be used, or with NIO's
    /// error when the address cannot be bound.
    public static func start(
        _ configuration: ServerConfiguration,
        on group: EventLoopGroup,
        events: @escaping @Sendable (ServerEvent) -> Void
    ) -> EventLoopFuture<WebSocketServer> {
        let sslContext: NIOSSLContext?
        do throws(ConnectionError) {
            sslContext = try configuration.tls?.makeServerContext()
        } catch {
            return group.next().makeFailedFuture(error)
        }
        let ids = ClientIdCounter()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try Self.configure(
                        channel,
                        configuration: configuration,
                        sslContext: sslContext,
                        ids: ids,
                        events: events
                    )
                }
            }
        let bound: EventLoopFuture<Channel>
        if let path = configuration.unixSocketPath {
            bound = bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true)
        } else {
            bound = bootstrap.bind(host: configuration.host, port: configuration.port)
        }
        return bound.flatMapThrowing { channel in
            guard let address = channel.localAddress else {
                throw ChannelError.unknownLocalAddress
            }
            return WebSocketServer(channel: channel, localAddress: address, isSecure: sslContext != nil)
        }
    }

    /// Stops listening; connected clients stay until they are closed.
    public func close() -> EventLoopFuture<Void> {
        self.channel.close()
    }

    /// Sets up TLS, HTTP, the typed upgrade and its outcomes on an accepted connection.
    private static func configure(
        _ channel: Channel,
        configuration: ServerConfiguration,
        sslContext: NIOSSLContext?,
        ids: ClientIdCounter,
        events: @escaping @Sendable (ServerEvent) -> Void
    ) throws {
        let remoteAddress = channel.remoteAddress?.displayText ?? "?"
        let operations = channel.pipeline.syncOperations
        if let sslContext {
            try operations.addHandler(NIOSSLServerHandler(context: sslContext))
        }
        let policy = configuration.policy
        let requestHead = NIOLoopBoundBox<HTTPRequestHead?>(nil, eventLoop: channel.eventLoop)
        let upgrader = NIOTypedWebSocketServerUpgrader<Bool>(
            maxFrameSize: min(configuration.maximumMessageSize, Int(UInt32.max)),
            enableAutomaticErrorHandling: false,
            shouldUpgrade: { channel, head in
                switch policy.decide(requestMethod: head.method.rawValue, requestHeaders: head.headerFields) {
                case .accept(let subprotocol, let compression):
                    var headers = HTTPHeaders(configuration.responseHeaders.map { ($0.name, $0.value) })
                    if let subprotocol {
                        headers.replaceOrAdd(name: "Sec-WebSocket-Protocol", value: subprotocol)
                    }
                    if let compression {
                        headers.replaceOrAdd(name: "Sec-WebSocket-Extensions", value: compression.description)
                    }
                    return channel.eventLoop.makeSucceededFuture(headers)
                case .refuse:
                    return channel.eventLoop.makeSucceededFuture(nil)
                }
            },
            upgradePipelineHandler: { channel, head in
                channel.eventLoop.makeCompletedFuture {
                    guard
                        case .accept(let subprotocol, let compression) = policy.decide(
                            requestMethod: head.method.rawValue,
                            requestHeaders: head.headerFields
                        )
                    else {
                        preconditionFailure("a refused request was upgraded")
                    }
                    let connection = WebSocketConnection(eventLoop: channel.eventLoop)
                    let client = ServerClient(id: ids.next(), connection: connection)
                    let settings = ConnectionSettings(
                        role: .server,
                        url: head.uri,
                        maximumMessageSize: configuration.maximumMessageSize,
                        closeTimeout: configuration.closeTimeout,
                        echo: configuration.echo,
                        keepalive: configuration.keepalive
                    )
                    let handler = WebSocketConnectionHandler(settings: settings, eventLoop: channel.eventLoop) {
                        event in
                        events(.client(client, event))
                    }
                    connection.box.value = handler
                    let operations = channel.pipeline.syncOperations
                    operations.removeHandler(try operations.handler(type: HandshakeFailureHandler.self), promise: nil)
                    handler.connected(channel)
                    try handler.install(
                        in: operations,
                        agreement: HandshakeValidation.Agreement(subprotocol: subprotocol, compression: compression),
                        remoteAddress: remoteAddress
                    )
                    let loopBound = NIOLoopBound(handler, eventLoop: channel.eventLoop)
                    channel.closeFuture.whenComplete { _ in
                        loopBound.value.channelClosed()
                    }
                    // The 101 is out and NIO's HTTP encoder gone: frames can be written now.
                    // Data that came after the request is replayed to the handler next.
                    handler.upgradeCompleted()
                    return true
                }
            }
        )
        let upgradeConfiguration = NIOTypedHTTPServerUpgradeConfiguration<Bool>(
            upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in
                channel.eventLoop.makeCompletedFuture {
                    let refusalHandler = UpgradeRefusalHandler(policy: policy, head: requestHead.value) { refusal in
                        events(
                            .refused(
                                remoteAddress: remoteAddress,
                                reason: "answered \(refusal.status): \(refusal.reason)"
                            )
                        )
                    }
                    try channel.pipeline.syncOperations.addHandler(refusalHandler)
                    return false
                }
            }
        )
        _ = try operations.configureUpgradableHTTPServerPipeline(
            configuration: NIOUpgradableHTTPServerPipelineConfiguration(upgradeConfiguration: upgradeConfiguration)
        )
        let upgradeHandler = try operations.handler(type: NIOTypedHTTPServerUpgradeHandler<Bool>.self)
        try operations.addHandler(RequestHeadRecorder(box: requestHead), position: .before(upgradeHandler))
        try operations.addHandler(
            HandshakeFailureHandler { reason in
                events(.refused(remoteAddress: remoteAddress, reason: reason))
            }
        )
    }
}

extension HTTPRequestHead {
    /// The request's headers in the core's terms.
    fileprivate var headerFields: [HeaderField] {
        self.headers.map { HeaderField(name: $0.name, value: $0.value) }
    }
}

/// Hands out client ids from any thread.
private final class ClientIdCounter: Sendable {
    private let value = NIOLockedValueBox(0)

    func next() -> Int {
        self.value.withLockedValue { value in
            value += 1
            return value
        }
    }
}
