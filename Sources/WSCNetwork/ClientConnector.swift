import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import WSCCore

/// Makes a client's connection: TCP (or a Unix socket), a proxy's tunnel, TLS and the
/// upgrade request, with the connect time limit; follows redirects (`-L`) with a new
/// attempt each; and reports each outcome to the connection handler.
///
/// It lives on the handler's event loop, from the first attempt to the upgrade (or the
/// failure). The handler decides, with its state machine, what an outcome means (a
/// redirect after the user gave up is not followed, for one); the connector only owns the
/// attempts and their timer.
final class ClientConnector {
    let handler: WebSocketConnectionHandler
    /// The configuration of the current attempt (a redirect changes its URL and credentials).
    private(set) var configuration: ClientConfiguration
    /// How many redirects were followed to get here.
    private(set) var redirects = 0
    /// The time limit of the current attempt (`--connect-timeout`), until the upgrade.
    private var connectTimer: Scheduled<Void>?

    init(handler: WebSocketConnectionHandler, configuration: ClientConfiguration) {
        self.handler = handler
        self.configuration = configuration
    }

    /// The attempt failed (or ran out of time): the handler reports it.
    private func failed(_ error: ConnectionError) {
        self.connectTimer?.cancel()
        self.handler.connectFailed(error)
    }

    /// The server accepted the upgrade: the time limit is over.
    func upgradeAccepted() {
        self.connectTimer?.cancel()
    }

    /// Connects TCP (and TLS), sends the upgrade request, and wires the outcome to the handler.
    func start() {
        let handler = self.handler
        let configuration = self.configuration
        let eventLoop = handler.eventLoop
        let loopBound = NIOLoopBound(handler, eventLoop: eventLoop)
        let connector = NIOLoopBound(self, eventLoop: eventLoop)
        let url = configuration.url

        let sslContext: NIOSSLContext?
        do throws(ConnectionError) {
            sslContext = url.isSecure ? try configuration.tls.makeClientContext() : nil
        } catch {
            self.failed(error)
            return
        }

        let timeout = TimeAmount(configuration.connectTimeout)
        self.connectTimer = eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            connector.value.failed(
                ConnectionError(
                    .connect,
                    "timed out after \(configuration.connectTimeout.secondsText) connecting to \(url.hostHeader)"
                )
            )
        }

        let upgradePromise = eventLoop.makePromise(of: UpgradeOutcome.self)
        // A name with several addresses gets a channel per attempt (happy eyeballs): only the
        // one that won may decide the upgrade's outcome, not a loser being closed.
        let winner = eventLoop.makePromise(of: Channel.self)
        let certificates = NIOLoopBound(CertificateRecorder(), eventLoop: eventLoop)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                let tunnel: EventLoopFuture<Void>
                if let proxy = configuration.proxy {
                    do {
                        tunnel = try Self.configureProxyTunnel(
                            channel: channel,
                            proxy: proxy,
                            to: url,
                            timeout: timeout
                        )
                    } catch {
                        return channel.eventLoop.makeFailedFuture(error)
                    }
                } else {
                    tunnel = channel.eventLoop.makeSucceededVoidFuture()
                }
                // Through a proxy, TLS and the upgrade start once the tunnel stands.
                let outcome = tunnel.flatMapThrowing {
                    if let sslContext {
                        let serverName = url.hostIsIPAddress ? nil : url.host
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(
                                context: sslContext,
                                serverHostname: serverName,
                                verificationCallback: certificates.value.verify
                            )
                        )
                    }
                    return try Self.configureUpgrade(channel: channel, connector: connector.value)
                }.flatMap { $0 }
                winner.futureResult.whenSuccess { connected in
                    if connected === channel {
                        upgradePromise.completeWith(outcome)
                    }
                }
                return channel.eventLoop.makeSucceededVoidFuture()
            }

        Self.connect(bootstrap, to: url, configuration: configuration, on: eventLoop).whenComplete { result in
            switch result {
            case .success(let channel):
                loopBound.value.connected(channel)
                channel.closeFuture.whenComplete { _ in
                    // A channel left behind by a redirect is not the attempt's any more.
                    if channel === loopBound.value.channel {
                        connector.value.connectTimer?.cancel()
                    }
                    loopBound.value.channelClosed(channel)
                }
                winner.succeed(channel)
            case .failure(let error):
                winner.fail(error)
                upgradePromise.fail(error)
                connector.value.failed(ConnectionError(connecting: error, to: url))
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
                        connector.value.refused(rejection)
                    case .failure(let error):
                        connector.value.failed(ConnectionError(handshaking: error, to: url))
                    }
                }
            case .failure(let error):
                connector.value.failed(ConnectionError(handshaking: error, to: url, certificates: certificates.value))
            }
        }
    }

    /// The server answered the upgrade with another status: follow a redirect (`-L`), or fail.
    private func refused(_ rejection: UpgradeRejection) {
        let configuration = self.configuration
        let redirects = self.redirects
        guard configuration.followRedirects, let location = Redirect.location(of: rejection) else {
            self.failed(
                ConnectionError(
                    .rejected(rejection),
                    "the server refused the WebSocket upgrade: \(rejection.statusLine)"
                )
            )
            return
        }
        guard redirects < configuration.maximumRedirects else {
            let message = "too many redirects: gave up after \(redirects) (--max-redirects), at \(rejection.statusLine)"
            self.failed(ConnectionError(.rejected(rejection), message))
            return
        }
        let target: WebSocketURL
        do {
            target = try Redirect.target(of: location, from: configuration.url)
        } catch {
            self.failed(ConnectionError(.handshake, "cannot follow the redirect to '\(location)': \(error.message)"))
            return
        }
        var next = configuration
        next.url = target
        let sameOrigin = Redirect.keepsCredentials(from: configuration.url, to: target)
        next.unixSocketPath = target.unixSocketPath ?? (sameOrigin ? configuration.unixSocketPath : nil)
        if !sameOrigin {
            // Credentials stay with the host they were given for.
            next.basicAuth = nil
            next.hostOverride = nil
            next.headers.removeAll {
                ["authorization", "cookie", "proxy-authorization"].contains($0.name.lowercased())
            }
        }
        if let user = target.user {
            next.basicAuth = (user, target.password ?? "")
        }
        self.connectTimer?.cancel()
        guard self.handler.redirected(to: target, status: rejection.status) else {
            return
        }
        self.configuration = next
        self.redirects += 1
        self.start()
    }
}
