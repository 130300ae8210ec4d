import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import WSCCore

/// The transport of an attempt: proxies' tunnels, TCP or a Unix socket, and the upgrade's
/// handlers.
extension ClientConnector {
    /// Asks the proxy for a tunnel to the server: HTTP `CONNECT host:port`, or SOCKS5.
    ///
    /// The future completes once the tunnel stands and the proxy's handlers are gone.
    static func configureProxyTunnel(
        channel: Channel,
        proxy: ProxySettings,
        to url: WebSocketURL,
        timeout: TimeAmount
    ) throws -> EventLoopFuture<Void> {
        switch proxy.kind {
        case .httpConnect:
            return try Self.configureHTTPProxyTunnel(channel: channel, proxy: proxy, to: url, timeout: timeout)
        case .socks5, .socks5h:
            let established = channel.eventLoop.makePromise(of: Void.self)
            let destination = SOCKS5Negotiation.Destination.forURL(url, proxy: proxy, on: channel.eventLoop)
            try channel.pipeline.syncOperations.addHandler(
                SOCKS5ConnectHandler(proxy: proxy, destination: destination, port: url.port, promise: established)
            )
            return established.futureResult
        }
    }

    /// Asks an HTTP proxy for a tunnel with `CONNECT host:port`, through swift-nio-extras.
    private static func configureHTTPProxyTunnel(
        channel: Channel,
        proxy: ProxySettings,
        to url: WebSocketURL,
        timeout: TimeAmount
    ) throws -> EventLoopFuture<Void> {
        let operations = channel.pipeline.syncOperations
        let encoder = HTTPRequestEncoder()
        let decoder = ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .forwardBytes))
        var headers = HTTPHeaders([("Host", url.hostHeader)])
        if let user = proxy.user {
            headers.add(
                name: "Proxy-Authorization",
                value: "Basic " + Base64.encode(Array("\(user):\(proxy.password ?? "")".utf8))
            )
        }
        let established = channel.eventLoop.makePromise(of: Void.self)
        let target = url.hostIsIPAddress && url.host.contains(":") ? "[\(url.host)]" : url.host
        let answer = NIOLoopBoundBox<String?>(nil, eventLoop: channel.eventLoop)
        let recorder = ProxyAnswerRecorder(box: answer)
        try operations.addHandler(encoder)
        try operations.addHandler(decoder)
        try operations.addHandler(recorder)
        try operations.addHandler(
            NIOHTTP1ProxyConnectHandler(
                targetHost: target,
                targetPort: url.port,
                headers: headers,
                deadline: .now() + timeout,
                promise: established
            )
        )
        return established.futureResult.assumeIsolated().flatMapErrorThrowing { error in
            throw ConnectionError(proxying: error, through: proxy, answer: answer.value)
        }.flatMap {
            // The decoder watches outbound writes too: it must be gone before the upgrade writes.
            let operations = channel.pipeline.syncOperations
            let handlers: [RemovableChannelHandler] = [recorder, encoder, decoder]
            let removals = handlers.map { handler in
                let removed = channel.eventLoop.makePromise(of: Void.self)
                operations.removeHandler(handler, promise: removed)
                return removed.futureResult
            }
            return EventLoopFuture.andAllSucceed(removals, on: channel.eventLoop)
        }.nonisolated()
    }

    /// Connects TCP, through NIO's resolver or to an address of the forced family.
    ///
    /// An IP address is connected to as it is; for a name, NIO's resolver tries both
    /// families (happy eyeballs). With `-4`, `-6` or `--bind`, the connection goes from the
    /// `--bind` address to the first address of that family.
    static func connect(
        _ bootstrap: ClientBootstrap,
        to url: WebSocketURL,
        configuration: ClientConfiguration,
        on eventLoop: EventLoop
    ) -> EventLoopFuture<Channel> {
        if let proxy = configuration.proxy {
            return bootstrap.connect(host: proxy.host, port: proxy.port).flatMapErrorThrowing { error in
                throw ConnectionError(
                    .connect,
                    "could not connect to the proxy \(proxy): \(ConnectionError.describe(ConnectionError.firstConnectError(error)))"
                )
            }
        }
        if let path = configuration.unixSocketPath {
            return bootstrap.connect(unixDomainSocketPath: path).flatMapErrorThrowing { error in
                throw ConnectionError(
                    .connect,
                    "could not connect to the Unix socket '\(path)': \(ConnectionError.describe(error))"
                )
            }
        }
        guard configuration.localAddress != nil || configuration.addressFamily != nil else {
            // An IP address needs no resolver: NIO's would still hand it to getaddrinfo on
            // another thread, a thread hop and a look-up on every connect.
            if let literal = try? SocketAddress(ipAddress: url.host, port: url.port) {
                return bootstrap.connect(to: literal)
            }
            return bootstrap.connect(host: url.host, port: url.port)
        }
        var family = configuration.addressFamily
        if let localAddress = configuration.localAddress {
            guard let local = try? SocketAddress(ipAddress: localAddress, port: 0),
                let localFamily = AddressFamily(of: local)
            else {
                return eventLoop.makeFailedFuture(
                    ConnectionError(.connect, "--bind takes an IP address, not '\(localAddress)'")
                )
            }
            guard family == nil || family == localFamily else {
                return eventLoop.makeFailedFuture(
                    ConnectionError(.connect, "--bind \(localAddress) is not an \(family?.name ?? "") address")
                )
            }
            family = localFamily
            _ = bootstrap.bind(to: local)
        }
        guard let family else {
            preconditionFailure("a family is set by -4, -6 or --bind")
        }
        let loopBoundBootstrap = NIOLoopBound(bootstrap, eventLoop: eventLoop)
        return AddressResolution.resolve(host: url.host, port: url.port, family: family, on: eventLoop).flatMap {
            address in
            loopBoundBootstrap.value.connect(to: address)
        }
    }

    /// Sets up the HTTP codec and the typed upgrader on a fresh channel.
    static func configureUpgrade(channel: Channel, connector: ClientConnector) throws -> EventLoopFuture<UpgradeOutcome>
    {
        let configuration = connector.configuration
        let handler = connector.handler
        let loopBound = NIOLoopBound(connector, eventLoop: channel.eventLoop)
        let validation = HandshakeValidation(
            offeredSubprotocols: configuration.subprotocols,
            offeredCompression: configuration.compression
        )
        let maxFrameSize = min(configuration.maximumMessageSize, Int(UInt32.max))

        let upgrader = NIOTypedWebSocketClientUpgrader<UpgradeOutcome>(
            maxFrameSize: maxFrameSize,
            enableAutomaticErrorHandling: false,
            upgradePipelineHandler: { channel, response in
                channel.eventLoop.makeCompletedFuture {
                    let headers = response.headers.map { HeaderField(name: $0.name, value: $0.value) }
                    let agreement = try validation.validate(responseHeaders: headers)
                    loopBound.value.upgradeAccepted()
                    try loopBound.value.handler.install(in: channel.pipeline.syncOperations, agreement: agreement)
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
            let trace = HandshakeTraceHandler(emit: { [emitBatch = handler.emitBatch] event in emitBatch([event]) })
            try operations.addHandler(trace)
            httpHandlers.append(trace)
        }
        let upgradeHandler = NIOTypedHTTPClientUpgradeHandler(
            httpHandlers: httpHandlers,
            upgradeConfiguration: upgradeConfiguration
        )
        try operations.addHandler(upgradeHandler)
        return upgradeHandler.upgradeResultFuture
    }
}

extension ClientConfiguration {
    /// The upgrade request head.
    ///
    /// Host, User-Agent, Origin, subprotocols, compression, credentials, then `-H` headers.
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
        if self.compression {
            fields.append(("Sec-WebSocket-Extensions", PerMessageDeflate.clientOffer))
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
