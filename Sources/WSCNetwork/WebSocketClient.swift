import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import WSCCore

/// A WebSocket client connection: open it with ``connect(_:on:events:)``, then send and close.
///
/// Every method may be called from any thread; work hops to the connection's event loop
/// in call order. Events arrive on that event loop through the `events` closure, and
/// the last one is always `.close`.
public final class WebSocketClient: Sendable {
    private let eventLoop: EventLoop
    private let box: NIOLoopBoundBox<ClientConnectionHandler?>

    private init(eventLoop: EventLoop) {
        self.eventLoop = eventLoop
        self.box = .makeEmptyBox(valueType: ClientConnectionHandler.self, eventLoop: eventLoop)
    }

    /// Starts connecting; sends made before the connection opens are queued, never dropped.
    public static func connect(
        _ configuration: ClientConfiguration,
        on group: EventLoopGroup,
        events: @escaping @Sendable (ConnectionEvent) -> Void
    ) -> WebSocketClient {
        let client = WebSocketClient(eventLoop: group.next())
        let box = client.box
        client.eventLoop.execute {
            let handler = ClientConnectionHandler(configuration: configuration, eventLoop: box.eventLoop, emit: events)
            box.value = handler
            Self.start(handler)
        }
        return client
    }

    /// Sends a text or binary message.
    public func send(_ message: Message) {
        self.withHandler { $0.send(message) }
    }

    /// Sends messages in order, with one hop to the event loop and one flush.
    public func send(contentsOf messages: [Message]) {
        self.withHandler { $0.send(contentsOf: messages) }
    }

    /// Sends a file as one binary message, streamed in fragments.
    public func send(_ file: OutgoingFile) {
        self.withHandler { $0.send(file) }
    }

    /// Sends a ping with this payload (at most 125 bytes).
    public func ping(_ payload: [UInt8]) {
        self.withHandler { $0.sendControl(.ping, payload: payload) }
    }

    /// Sends an unsolicited pong with this payload (at most 125 bytes).
    public func pong(_ payload: [UInt8]) {
        self.withHandler { $0.sendControl(.pong, payload: payload) }
    }

    /// Starts the close handshake (or abandons a connection still opening).
    public func close(code: CloseCode? = .normalClosure, reason: String = "") {
        self.withHandler { $0.close(code: code, reason: reason) }
    }

    /// Completes once there is room to send more (see the handler's queue limit and the
    /// socket's writability); await it between batches to keep memory bounded.
    public func whenReady() -> EventLoopFuture<Void> {
        let promise = self.eventLoop.makePromise(of: Void.self)
        self.withHandler { $0.whenReady(promise) }
        return promise.futureResult
    }

    /// Reports that this many received messages were handled (printed, written).
    ///
    /// When more than a few thousand messages are unhandled the socket is no longer
    /// read, so a slow consumer slows the peer down instead of filling memory.
    public func acknowledge(_ count: Int) {
        self.withHandler { $0.acknowledge(count) }
    }

    /// The connection's state and counters, for `/status`.
    public func status() -> EventLoopFuture<ConnectionStatus> {
        let box = self.box
        return self.eventLoop.submit {
            guard let handler = box.value else {
                preconditionFailure("the handler is created before any command runs")
            }
            return handler.status()
        }
    }

    private func withHandler(_ body: @escaping @Sendable (ClientConnectionHandler) -> Void) {
        let box = self.box
        self.eventLoop.execute {
            guard let handler = box.value else {
                preconditionFailure("the handler is created before any command runs")
            }
            body(handler)
        }
    }
}

extension WebSocketClient {
    /// Connects TCP (and TLS), sends the upgrade request, and wires the outcome to the handler.
    private static func start(_ handler: ClientConnectionHandler) {
        let configuration = handler.configuration
        let eventLoop = handler.eventLoop
        let loopBound = NIOLoopBound(handler, eventLoop: eventLoop)
        let url = configuration.url

        let sslContext: NIOSSLContext?
        do throws(ConnectionError) {
            sslContext = url.isSecure ? try configuration.tls.makeClientContext() : nil
        } catch {
            handler.connectFailed(error)
            return
        }

        let timeout = TimeAmount(configuration.connectTimeout)
        handler.connectTimerStarted(
            eventLoop.assumeIsolated().scheduleTask(in: timeout) {
                loopBound.value.connectFailed(
                    ConnectionError(.connect, "timed out after \(configuration.connectTimeout.secondsText) connecting to \(url.hostHeader)")
                )
            }
        )

        let upgradePromise = eventLoop.makePromise(of: UpgradeOutcome.self)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                do {
                    if let sslContext {
                        let serverName = url.hostIsIPAddress ? nil : url.host
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: sslContext, serverHostname: serverName)
                        )
                    }
                    let upgradeFuture = try Self.configureUpgrade(channel: channel, handler: loopBound.value)
                    upgradePromise.completeWith(upgradeFuture)
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    upgradePromise.fail(error)
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }

        bootstrap.connect(host: url.host, port: url.port).whenComplete { result in
            switch result {
            case .success(let channel):
                loopBound.value.connected(channel)
                channel.closeFuture.whenComplete { _ in
                    loopBound.value.channelClosed()
                }
            case .failure(let error):
                upgradePromise.fail(error)
                loopBound.value.connectFailed(ConnectionError(connecting: error, to: url))
            }
        }

        upgradePromise.futureResult.whenComplete { result in
            switch result {
            case .success(.upgraded):
                loopBound.value.upgradeCompleted()
            case .success(.refused(let rejection)):
                rejection.whenComplete { answer in
                    switch answer {
                    case .success(let rejection):
                        loopBound.value.connectFailed(
                            ConnectionError(.rejected(rejection), "the server refused the WebSocket upgrade: \(rejection.statusLine)")
                        )
                    case .failure(let error):
                        loopBound.value.connectFailed(ConnectionError(handshaking: error, to: url))
                    }
                }
            case .failure(let error):
                loopBound.value.connectFailed(ConnectionError(handshaking: error, to: url))
            }
        }
    }

    /// Sets up the HTTP codec and the typed upgrader on a fresh channel.
    private static func configureUpgrade(
        channel: Channel,
        handler: ClientConnectionHandler
    ) throws -> EventLoopFuture<UpgradeOutcome> {
        let configuration = handler.configuration
        let loopBound = NIOLoopBound(handler, eventLoop: channel.eventLoop)
        let validation = HandshakeValidation(offeredSubprotocols: configuration.subprotocols, offeredExtensions: [])
        let maxFrameSize = min(configuration.maximumMessageSize, Int(UInt32.max))

        let upgrader = NIOTypedWebSocketClientUpgrader<UpgradeOutcome>(
            maxFrameSize: maxFrameSize,
            enableAutomaticErrorHandling: false,
            upgradePipelineHandler: { channel, response in
                channel.eventLoop.makeCompletedFuture {
                    let headers = response.headers.map { HeaderField(name: $0.name, value: $0.value) }
                    let agreement = try validation.validate(responseHeaders: headers)
                    try channel.pipeline.syncOperations.addHandler(loopBound.value)
                    loopBound.value.upgraded(agreement)
                    return UpgradeOutcome.upgraded
                }
            }
        )
        let upgradeConfiguration = NIOTypedHTTPClientUpgradeConfiguration<UpgradeOutcome>(
            upgradeRequestHead: configuration.upgradeRequestHead(),
            upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in
                channel.eventLoop.makeCompletedFuture {
                    let promise = channel.eventLoop.makePromise(of: UpgradeRejection.self)
                    try channel.pipeline.syncOperations.addHandler(UpgradeRejectionHandler(promise: promise))
                    return UpgradeOutcome.refused(promise.futureResult)
                }
            }
        )

        let operations = channel.pipeline.syncOperations
        let encoder = HTTPRequestEncoder()
        let decoder = ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .forwardBytes))
        var httpHandlers: [RemovableChannelHandler] = [encoder, decoder]
        try operations.addHandler(encoder)
        try operations.addHandler(decoder)
        if configuration.traceHandshake {
            let trace = HandshakeTraceHandler(emit: handler.emit)
            try operations.addHandler(trace)
            httpHandlers.append(trace)
        }
        let upgradeHandler = NIOTypedHTTPClientUpgradeHandler(httpHandlers: httpHandlers, upgradeConfiguration: upgradeConfiguration)
        try operations.addHandler(upgradeHandler)
        return upgradeHandler.upgradeResultFuture
    }
}

extension ClientConfiguration {
    /// The upgrade request head: Host, User-Agent, Origin, subprotocols, credentials, then `-H` headers.
    ///
    /// A `-H` header with the name of one of these replaces it.
    func upgradeRequestHead() -> HTTPRequestHead {
        var fields: [(String, String)] = [("Host", self.hostOverride ?? self.url.hostHeader)]
        fields.append(("User-Agent", self.userAgent))
        if let origin = self.origin {
            fields.append(("Origin", origin))
        }
        if !self.subprotocols.isEmpty {
            fields.append(("Sec-WebSocket-Protocol", self.subprotocols.joined(separator: ", ")))
        }
        if let (user, password) = self.basicAuth {
            fields.append(("Authorization", "Basic " + Base64.encode(Array("\(user):\(password)".utf8))))
        }
        let custom = Set(self.headers.map { $0.name.lowercased() })
        var headers = HTTPHeaders(fields.filter { !custom.contains($0.0.lowercased()) })
        for field in self.headers {
            headers.add(name: field.name, value: field.value)
        }
        return HTTPRequestHead(version: .http1_1, method: .GET, uri: self.url.requestTarget, headers: headers)
    }
}
