import NIOCore
import NIOWebSocket
import WSCCore

/// The connection's opening and its end: TCP, redirects, the upgrade, the end of TCP.
extension WebSocketConnectionHandler {
    func connected(_ channel: Channel) {
        self.channel = channel
        switch self.state.channelConnected() {
        case .none:
            break
        case .closeChannel:
            channel.close(promise: nil)
        }
    }

    func connectFailed(_ error: ConnectionError) {
        self.run(self.state.connectFailed(error))
        self.channel?.close(promise: nil)
        self.discardQueued()
    }

    /// Puts this handler in an upgraded pipeline in place of NIO's frame decoder, and
    /// reports the upgrade.
    ///
    /// NIO's upgraders add their decoder; this handler reads the frames itself (with its
    /// ``FrameReader``), so it goes in front of the decoder, which then never receives a byte
    /// and is removed. Frames that arrive meanwhile are held back by NIO until the upgrade
    /// completes.
    func install(
        in operations: ChannelPipeline.SynchronousOperations,
        agreement: HandshakeValidation.Agreement,
        remoteAddress: String? = nil
    ) throws {
        let decoder = try operations.handler(type: ByteToMessageHandler<WebSocketFrameDecoder>.self)
        try operations.addHandler(self, position: .before(decoder))
        operations.removeHandler(decoder, promise: nil)
        self.upgraded(agreement, remoteAddress: remoteAddress)
    }

    /// The handshake passed every check: the handler is in the pipeline.
    ///
    /// The checks were on the server's 101 answer, or, as a server, on the client's request.
    /// Nothing is written, and the open event waits, until ``upgradeCompleted()``: a
    /// client's upgrade handler refuses writes until it is done, while a server calls it
    /// at once.
    func upgraded(_ agreement: HandshakeValidation.Agreement, remoteAddress: String? = nil) {
        if let deflate = agreement.compression {
            do {
                let compression = try PerMessageDeflateCodec(agreement: deflate, role: self.settings.role)
                self.compression = compression
                self.writer.compression = compression
                self.assembler.compressionAgreed = true
            } catch {
                // zlib could not start (out of memory): a compressed message will then fail
                // the connection as a protocol error, rather than be misread.
                self.emit(.error(ConnectionError(.protocolViolation, "permessage-deflate could not start: \(error)")))
            }
        }
        self.openInfo = OpenInfo(
            url: self.settings.url,
            subprotocol: agreement.subprotocol,
            extensions: agreement.extensions,
            remoteAddress: remoteAddress
        )
        switch self.state.upgradeSucceeded() {
        case .awaitCompletion:
            break
        case .closeChannel:
            self.channel?.close(promise: nil)
        }
    }

    /// The upgrade handler finished: writes pass from now on.
    func upgradeCompleted() {
        switch self.state.upgradeCompleted() {
        case .none:
            break
        case .fireOpen:
            self.openedAt = .now
            if let openInfo = self.openInfo {
                self.emit(.open(openInfo))
            }
            self.sendQueued()
            self.startKeepalive()
        }
    }

    /// The upgrade was redirected (`-L`): drop this connection, the next attempt follows.
    ///
    /// Returns false when the user gave up meanwhile, and there is nothing to follow.
    func redirected(to url: WebSocketURL, status: Int) -> Bool {
        switch self.state.redirectReceived() {
        case .none:
            return false
        case .followRedirect:
            break
        }
        let previous = self.channel
        self.channel = nil
        previous?.close(promise: nil)
        self.settings.url = url.description
        self.emit(.redirect(Redirection(status: status, url: url.description)))
        return true
    }

    /// The TCP connection is gone (reported from the channel's close future).
    ///
    /// A client passes the channel: one left behind by a redirect is no longer ours.
    func channelClosed(_ closed: Channel? = nil) {
        if let closed, closed !== self.channel {
            return
        }
        self.closeTimer?.cancel()
        self.stopKeepalive()
        self.streamCutOff()
        self.run(self.state.channelClosed())
        self.discardQueued()
    }
}
