import NIOCore
import NIOPosix
import NIOSSL
import NIOWebSocket
import WSCCore

/// Runs one connection on its event loop, as a client or as a server.
///
/// It carries out what the ``ConnectionStateMachine`` decides, and sits at the end of the pipeline
/// once upgraded.
///
/// Every method runs on `eventLoop`. Events leave through `emitBatch`, in order: the
/// messages of one burst of reads together, every other event at once.
///
/// Data frames are encoded here, many into one buffer (see ``writeFrame(_:opcode:rsv1:)``),
/// and written from the place of NIO's `WebSocketFrameEncoder` in the pipeline: that
/// encoder writes each frame as two buffers and masks in a second pass, which costs more
/// than the frame itself when messages are small. Control frames still pass through it.
/// Binary payloads handed over in buffers of their own (bulk data) are masked in place and
/// written behind a header of their own instead: they are not copied.
final class WebSocketConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// A data message or file waiting for its turn.
    enum PendingSend: OutboundItem {
        case message(Message)
        /// A binary message whose payload is a buffer of its own.
        case binary(ByteBuffer)
        case file(OutgoingFile)

        /// The payload bytes it holds in memory (none for a file, read as it goes).
        var byteCount: Int {
            switch self {
            case .message(let message): message.byteCount
            case .binary(let payload): payload.readableBytes
            case .file: 0
            }
        }

        /// The message it is, as an `unsent` event gives it back (none for a file).
        var messages: [Message] {
            switch self {
            case .message(let message): [message]
            case .binary(let payload): [.binary(Array(payload.readableBytesView))]
            case .file: []
            }
        }

        var isStream: Bool {
            switch self {
            case .message, .binary: false
            case .file: true
            }
        }
    }

    private(set) var settings: ConnectionSettings
    let eventLoop: EventLoop
    /// Where events leave, a batch at a time.
    let emitBatch: @Sendable ([ConnectionEvent]) -> Void
    /// Messages received in the current burst of reads, emitted together when it ends.
    private var receivedEvents: [ConnectionEvent] = []
    /// Whether a burst of reads is under way (between `channelRead` and `channelReadComplete`).
    private var isReading = false
    /// Whether the current burst of reads held a data frame (which makes it traffic).
    private var burstHadData = false

    var state: ConnectionStateMachine
    private var assembler: MessageAssembler
    /// RFC 6455's rules for the frames that arrive, for our role.
    private var rules: FrameRules { FrameRules(role: self.settings.role) }
    /// The TCP channel, once connected.
    private var channel: Channel?
    /// This handler's context, once it joined the pipeline after the upgrade.
    private var context: ChannelHandlerContext?
    /// Sends waiting for the connection to open or for a file to finish, and the senders
    /// waiting for room (see ``whenReady(_:)``).
    private var queue = OutboundQueue<PendingSend, EventLoopPromise<Void>>()
    /// When to stop reading the socket, and when to start again.
    private var pacing: ReadPacing
    /// The fragments of the message being assembled.
    private var partial: ByteBuffer?
    private var connectTimer: Scheduled<Void>?
    private var closeTimer: Scheduled<Void>?
    private var openInfo: OpenInfo?
    private var openedAt: ContinuousClock.Instant?
    private var statistics = ConnectionStatistics()
    private var pings = PingTracker()
    /// When a data frame was last read or a file chunk written, for "idle" decisions.
    ///
    /// Pings and pongs are not traffic: a keepalive of either side's (wsc's own
    /// `--ping-interval`, a server's heartbeat) would otherwise keep a piped session whose
    /// input has ended from ever being idle.
    private var lastTraffic = ContinuousClock.now

    /// The keepalive pings' state and timers (`--ping-interval`).
    var keepalive: Keepalive?
    var keepaliveIntervalTimer: Scheduled<Void>?
    /// The timeout timer of the outstanding keepalive ping (one at a time).
    var keepaliveTimeoutTimer: Scheduled<Void>?

    /// Echoes written since the last flush (flushed when a burst of reads ends).
    private var echoNeedsFlush = false

    /// permessage-deflate, once agreed.
    private var compression: PerMessageDeflateCodec?

    /// Frames of a streamed file are this big.
    static let fileChunkSize = 256 * 1024

    /// The context of NIO's frame encoder: encoded frames are written from its place.
    ///
    /// Nil when there is none (a test's bare pipeline): frames then pass as `WebSocketFrame`s.
    private var encoderContext: ChannelHandlerContext?
    /// Data frames encoded but not yet written.
    private var encodedFrames: ByteBuffer?
    /// The buffer last written: reused for the next frames once NIO has let go of it.
    ///
    /// This saves an allocation, and fresh pages to fault in, per write of a bulk send.
    private var writtenFrames: ByteBuffer?
    /// Encoded frames are written once this much is waiting (and before any flush).
    static let encodedFramesLimit = 256 * 1024
    /// Where masking keys come from.
    private var random = BufferedSystemRandom()

    init(settings: ConnectionSettings, eventLoop: EventLoop, emitBatch: @escaping @Sendable ([ConnectionEvent]) -> Void) {
        self.settings = settings
        self.eventLoop = eventLoop
        self.emitBatch = emitBatch
        self.state = ConnectionStateMachine(role: settings.role, echoes: settings.echo, givesBackUnsent: settings.givesBackUnsent)
        self.pacing = ReadPacing(echoes: settings.echo)
        self.assembler = MessageAssembler(maximumMessageSize: settings.maximumMessageSize)
    }

    /// Creates a handler whose events leave one at a time.
    convenience init(settings: ConnectionSettings, eventLoop: EventLoop, emit: @escaping @Sendable (ConnectionEvent) -> Void) {
        self.init(settings: settings, eventLoop: eventLoop) { events in
            for event in events {
                emit(event)
            }
        }
    }

    /// A client masks every frame with a fresh key; a server must not mask.
    private var outgoingMaskKey: WebSocketMaskingKey? {
        get {
            switch self.settings.role {
            case .client: .random(using: &self.random)
            case .server: nil
            }
        }
    }

    /// Emits an event: a received message waits for the end of the burst of reads, and
    /// anything else goes at once, after the messages before it.
    func emit(_ event: ConnectionEvent) {
        self.receivedEvents.append(event)
        if case .message = event, self.isReading {
            return
        }
        self.emitReceivedEvents()
    }

    private func emitReceivedEvents() {
        guard !self.receivedEvents.isEmpty else {
            return
        }
        // Handed over, not copied: `removeAll(keepingCapacity:)` on a buffer the batch still
        // shares would give every later batch, however small, a buffer as large as the
        // largest burst, and a slow consumer holds thousands of those.
        var events: [ConnectionEvent] = []
        swap(&events, &self.receivedEvents)
        self.emitBatch(events)
    }

    // MARK: Commands from the user

    func send(_ message: Message) {
        self.enqueue(.message(message))
        if let context = self.context {
            self.flush(context)
        }
    }

    /// Sends messages in order with a single flush (a batch of piped lines).
    func send(contentsOf messages: [Message]) {
        for message in messages {
            self.enqueue(.message(message))
        }
        if let context = self.context {
            self.flush(context)
        }
    }

    /// Sends binary messages in order with a single flush, each payload a buffer of its own.
    ///
    /// A client masks each payload in place, so a buffer held nowhere else is not copied.
    func send(binary payloads: consuming [ByteBuffer]) {
        for index in payloads.indices {
            // Taken out of the array, so that this is the only reference left.
            var payload = ByteBuffer()
            swap(&payload, &payloads[index])
            self.enqueue(.binary(consume payload))
        }
        if let context = self.context {
            self.flush(context)
        }
    }

    /// Writes (without flushing), queues, or refuses one message (not a file), as the state
    /// machine says.
    private func enqueue(_ message: consuming PendingSend) {
        switch self.state.sendRequested() {
        case .sendMessage:
            if let now = self.queue.sendAllowed(message) {
                self.write(now)
            }
        case .queueMessage:
            self.queue.sendHeld(message)
        case .giveBackMessage(let error):
            guard case .file(let file) = message else {
                self.emit(.unsent(message.messages))
                return
            }
            // A file is not kept for the next connection.
            file.close()
            self.emit(.error(error))
        case .refuseMessage(let error):
            if case .file(let file) = consume message {
                file.close()
            }
            self.emit(.error(error))
        }
    }

    func send(_ file: OutgoingFile) {
        self.enqueue(.file(file))
        if let context = self.context {
            self.flush(context)
        }
    }

    /// Sends a ping or pong now; the pong of a ping is timed.
    ///
    /// When the connection is not open, an error event says so instead.
    func sendControl(_ opcode: WebSocketOpcode, payload: [UInt8]) {
        switch self.state.controlFrameRequested() {
        case .refuseFrame(let error):
            self.emit(.error(error))
        case .sendFrame:
            self.writeControl(opcode, payload: payload)
        }
    }

    private func writeControl(_ opcode: WebSocketOpcode, payload: [UInt8]) {
        guard let context = self.context else {
            preconditionFailure("writing before the handler joined the pipeline")
        }
        if opcode == .ping {
            self.pings.pingSent(payload, at: .now)
        }
        let frame = WebSocketFrame(fin: true, opcode: opcode, maskKey: self.outgoingMaskKey, data: context.channel.allocator.buffer(bytes: payload))
        self.write(frame, context: context)
        self.flush(context)
    }

    func close(code: CloseCode?, reason: String) {
        self.run(self.state.closeRequested(code: code, reason: reason))
    }

    func status() -> ConnectionStatus {
        let buffered = (try? self.channel?.syncOptions?.getOption(ChannelOptions.bufferedWritableBytes)) ?? 0
        return ConnectionStatus(
            readyState: self.state.readyState,
            url: self.settings.url,
            subprotocol: self.openInfo?.subprotocol,
            extensions: self.openInfo?.extensions ?? [],
            bufferedAmount: buffered,
            statistics: self.statistics,
            uptime: self.openedAt.map { $0.duration(to: .now) },
            lastRoundTrip: self.pings.lastRoundTrip,
            lastTraffic: self.lastTraffic,
            isSending: self.queue.isBusy,
            isHoldingBack: self.pacing.isPaused
        )
    }

    /// Completes once there is room to send more.
    ///
    /// That is, once the queue is under its limit and the socket takes writes (or the connection is
    /// over, when sending is pointless anyway).
    ///
    /// Senders that await this between batches keep memory bounded whatever the input size.
    func whenReady(_ promise: EventLoopPromise<Void>) {
        self.queue.roomRequested(by: promise, self.state.sendGate, socketWritable: self.socketWritable)?.succeed()
    }

    /// Whether the socket takes writes (true before there is one: only the queue counts then).
    private var socketWritable: Bool { self.channel?.isWritable ?? true }

    /// Whether an echo could be written now without waiting.
    private var echoesFit: Bool { self.queue.hasRoom(.write, socketWritable: self.socketWritable) }

    /// Something changed the room to send (a write, the socket's writability, the state):
    /// lets the senders that may go on go, and paces reading.
    private func roomChanged() {
        for waiter in self.queue.roomChanged(self.state.sendGate, socketWritable: self.socketWritable) {
            waiter.succeed()
        }
        self.run(self.pacing.roomChanged(echoesFit: self.echoesFit))
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        self.roomChanged()
        context.fireChannelWritabilityChanged()
    }

    /// The consumer has handled this many messages; reading resumes once it has caught up.
    func acknowledge(_ count: Int) {
        self.run(self.pacing.messagesHandled(count, echoesFit: self.echoesFit))
    }

    /// Pauses or resumes reading the socket.
    private func run(_ action: ReadPacing.Action) {
        guard let channel = self.channel else {
            return
        }
        switch action {
        case .none:
            break
        case .resumeReading:
            channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in
                channel.read()
            }
        case .pauseReading:
            channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
        }
    }

    // MARK: Events from the connect attempt

    func connectTimerStarted(_ timer: Scheduled<Void>) {
        self.connectTimer = timer
    }

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
        self.connectTimer?.cancel()
        self.run(self.state.connectFailed(error))
        self.channel?.close(promise: nil)
        self.discardQueued()
    }

    /// The handshake passed every check: the handler is in the pipeline.
    ///
    /// The checks were on the server's 101 answer, or, as a server, on the client's request.
    ///
    /// The connection counts as open from here, so frames that came with the handshake
    /// are handled; but nothing is written, and the open event waits, until
    /// ``upgradeCompleted()``: a client's upgrade handler holds writes back until it is
    /// done, while a server calls it at once.
    func upgraded(_ agreement: HandshakeValidation.Agreement, remoteAddress: String? = nil) {
        self.connectTimer?.cancel()
        if let deflate = agreement.compression {
            do {
                self.compression = try PerMessageDeflateCodec(agreement: deflate, role: self.settings.role)
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

    // MARK: ChannelHandler

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.encoderContext = try? context.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        self.encoderContext = nil
        self.encodedFrames = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var frame = self.unwrapInboundIn(data)
        if !self.isReading {
            // The clock is read at the end of a burst of reads, not for every frame.
            self.isReading = true
        }
        let verdict = self.rules.header(
            opcode: UInt8(webSocketOpcode: frame.opcode),
            rsv1: frame.rsv1,
            rsv2: frame.rsv2,
            rsv3: frame.rsv3,
            masked: frame.maskKey != nil
        )
        let kind: FrameRules.Kind
        switch verdict {
        case .accept(let accepted):
            kind = accepted
        case .violation(let code, let message):
            self.violation(code, message)
            return
        }
        if let key = frame.maskKey {
            frame.data.webSocketUnmask(key)
        }
        switch kind {
        case .text:
            self.burstHadData = true
            self.dataFrame(frame, kind: .text)
        case .binary:
            self.burstHadData = true
            self.dataFrame(frame, kind: .binary)
        case .continuation:
            self.burstHadData = true
            self.dataFrame(frame, kind: .continuation)
        case .ping:
            let payload = Array(frame.data.readableBytesView)
            if case .sendPong = self.state.pingReceived() {
                let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: self.outgoingMaskKey, data: frame.data)
                self.write(pong, context: context)
                self.flush(context)
            }
            self.emit(.ping(payload))
        case .pong:
            let payload = Array(frame.data.readableBytesView)
            switch self.state.pongReceived() {
            case .emitPong:
                break
            case .matchKeepalive:
                _ = self.keepalive?.pongReceived(payload)
            }
            self.emit(.pong(payload, roundTrip: self.pings.pongReceived(payload, at: .now)))
        case .close:
            self.closeFrame(frame.data)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if self.isReading {
            self.isReading = false
            if self.burstHadData {
                self.burstHadData = false
                self.lastTraffic = .now
            }
        }
        self.emitReceivedEvents()
        if self.echoNeedsFlush {
            self.echoNeedsFlush = false
            self.flush(context)
        }
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.isReading = false
        self.emitReceivedEvents()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let tooLong = event as? OversizedFrameFilter.FrameTooLong else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        // The filter drops the frame as it comes; what follows it (the peer's answer to our
        // close) is read as usual.
        self.violation(.messageTooBig, MessageAssembler.tooBigText(size: tooLong.length, limit: self.settings.maximumMessageSize, atLeast: false))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let error = error as? NIOWebSocketError {
            switch error {
            case .invalidFrameLength:
                self.violation(.messageTooBig, "frame longer than --max-message-size (\(self.settings.maximumMessageSize) bytes)")
            case .fragmentedControlFrame:
                self.violation(.protocolError, "fragmented control frame")
            case .multiByteControlFrameLength:
                self.violation(.protocolError, "control frame longer than 125 bytes")
            }
            return
        }
        guard !Self.isQuietEnd(error) else {
            context.close(promise: nil)
            return
        }
        switch self.state.transportFailed(ConnectionError(.protocolViolation, "connection error: \(ConnectionError.describe(error))")) {
        case .closeChannel:
            break
        case .fireErrorAndCloseChannel(let error):
            self.emit(.error(error))
        }
        context.close(promise: nil)
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
        self.connectTimer?.cancel()
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
        self.connectTimer?.cancel()
        self.closeTimer?.cancel()
        self.stopKeepalive()
        self.run(self.state.channelClosed())
        self.discardQueued()
    }

    // MARK: Incoming frames

    private func dataFrame(_ frame: WebSocketFrame, kind: MessageAssembler.FrameKind) {
        var data = frame.data
        switch self.assembler.frameReceived(kind, fin: frame.fin, rsv1: frame.rsv1, length: data.readableBytes) {
        case .deliverFrame(let messageKind, let compressed):
            self.deliver(data, kind: messageKind, compressed: compressed)
        case .startMessage:
            self.partial = data
        case .appendFrame:
            self.partial?.writeBuffer(&data)
        case .appendFrameAndDeliver(let messageKind, let compressed):
            guard var message = self.partial else {
                preconditionFailure("a fragment ended a message that never started")
            }
            self.partial = nil
            message.writeBuffer(&data)
            self.deliver(message, kind: messageKind, compressed: compressed)
        case .fail(let code, let reason):
            self.partial = nil
            self.violation(code, reason)
        }
    }

    private func deliver(_ received: ByteBuffer, kind: MessageAssembler.MessageKind, compressed: Bool) {
        var payload = received
        if compressed {
            guard let compression = self.compression, let allocator = self.channel?.allocator else {
                preconditionFailure("RSV1 passed the assembler without permessage-deflate")
            }
            do {
                payload = try compression.decompress(received, limit: self.settings.maximumMessageSize, allocator: allocator)
            } catch {
                switch error {
                case .tooBig:
                    self.violation(.messageTooBig, "compressed message inflates beyond the limit of \(self.settings.maximumMessageSize) bytes")
                case .corrupt:
                    self.violation(.invalidPayloadData, "compressed message is not a valid deflate stream")
                }
                return
            }
        }
        let message: Message
        switch kind {
        case .text:
            guard let text = payload.validatedUTF8Text() else {
                self.violation(.invalidPayloadData, "text message is not valid UTF-8")
                return
            }
            message = .text(text)
        case .binary:
            message = .binary(Array(payload.readableBytesView))
        }
        switch self.state.messageReceived() {
        case .deliverMessage:
            self.statistics.received(bytes: payload.readableBytes)
            self.emit(.message(message))
        case .deliverAndEchoMessage:
            self.statistics.received(bytes: payload.readableBytes)
            self.emit(.message(message))
            // Flushed once per read burst, in channelReadComplete.
            self.enqueue(.message(message))
            self.echoNeedsFlush = true
        case .dropMessage:
            return
        }
        // A consumer (a terminal, a pipe) or an echo peer that is behind stops the reading.
        self.run(self.pacing.messageDelivered(echoesFit: self.echoesFit))
    }

    private func closeFrame(_ payload: ByteBuffer) {
        switch FrameRules.closePayload(payload.readableBytesView) {
        case .close(let code, let reason):
            self.run(self.state.closeFrameReceived(code: code, reason: reason))
        case .violation(let code, let message):
            self.violation(code, message)
        }
    }

    private func violation(_ code: CloseCode, _ message: String) {
        self.run(self.state.protocolViolated(ConnectionError(.protocolViolation, "protocol error: \(message)"), code: code))
    }

    // MARK: Running actions

    func run(_ action: ConnectionStateMachine.ConnectFailedAction) {
        switch action {
        case .none:
            break
        case .fireClose(let info):
            self.emit(.close(info))
        case .fireErrorAndClose(let error, let info):
            self.emit(.error(error))
            self.emit(.close(info))
        }
    }

    func run(_ action: ConnectionStateMachine.CloseRequestedAction) {
        switch action {
        case .none:
            break
        case .closeChannel:
            self.channel?.close(promise: nil)
        case .sendClose(let code, let reason):
            self.writeClose(code: code, reason: reason)
        }
    }

    func run(_ action: ConnectionStateMachine.CloseFrameReceivedAction) {
        switch action {
        case .none:
            break
        case .sendClose(let code, let reason):
            self.writeClose(code: code, reason: reason)
        case .answerCloseAndCloseChannel(let code):
            self.writeClose(code: code, reason: "", thenCloseChannel: true)
        case .closeChannel:
            self.channel?.close(promise: nil)
        }
    }

    func run(_ action: ConnectionStateMachine.ProtocolViolatedAction) {
        switch action {
        case .none:
            break
        case .failConnection(let error, let code, let reason):
            self.emit(.error(error))
            self.writeClose(code: code, reason: reason)
        case .failConnectionAndCloseChannel(let error, let code, let reason):
            self.emit(.error(error))
            self.writeClose(code: code, reason: reason, thenCloseChannel: true)
        case .fireErrorAndCloseChannel(let error):
            self.emit(.error(error))
            self.channel?.close(promise: nil)
        }
    }

    func run(_ action: ConnectionStateMachine.KeepaliveTimedOutAction) {
        switch action {
        case .none:
            break
        case .failConnectionAndCloseChannel(let error, let code, let reason):
            self.emit(.error(error))
            self.writeClose(code: code, reason: reason, thenCloseChannel: true)
        }
    }

    func run(_ action: ConnectionStateMachine.CloseTimedOutAction) {
        switch action {
        case .none:
            break
        case .closeChannel:
            self.channel?.close(promise: nil)
        case .fireErrorAndCloseChannel(let error):
            self.emit(.error(error))
            self.channel?.close(promise: nil)
        }
    }

    func run(_ action: ConnectionStateMachine.ChannelClosedAction) {
        switch action {
        case .none:
            break
        case .fireClose(let info):
            self.emit(.close(info))
        case .fireErrorAndClose(let error, let info):
            self.emit(.error(error))
            self.emit(.close(info))
        }
    }

    /// Writes a close frame, then either closes TCP or waits for the peer.
    ///
    /// It closes TCP once the frame is written (a server answering), or gives the peer the close
    /// timeout to finish the handshake.
    private func writeClose(code: CloseCode?, reason: String, thenCloseChannel: Bool = false) {
        guard let context = self.context else {
            self.channel?.close(promise: nil)
            return
        }
        var payload = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        if let code {
            payload.writeInteger(code.rawValue)
            payload.writeString(reason)
        }
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: self.outgoingMaskKey, data: payload)
        let written = context.eventLoop.makePromise(of: Void.self)
        self.write(frame, context: context, promise: written)
        self.flush(context)
        if thenCloseChannel {
            let channel = context.channel
            written.futureResult.whenComplete { _ in
                channel.close(promise: nil)
            }
            return
        }
        self.closeTimer = self.eventLoop.assumeIsolated().scheduleTask(in: .init(self.settings.closeTimeout)) {
            let error = ConnectionError(
                .timeout,
                "no answer to our close within \(self.settings.closeTimeout.secondsText) (--close-timeout): dropping the connection"
            )
            self.run(self.state.closeTimedOut(error))
        }
    }

    private func write(_ message: Message) {
        guard let context = self.context else {
            preconditionFailure("writing before the handler joined the pipeline")
        }
        self.statistics.sent(bytes: message.byteCount)
        if let compression = self.compression {
            let allocator = context.channel.allocator
            let (opcode, payload): (WebSocketOpcode, ByteBuffer)
            switch message {
            case .text(let text):
                (opcode, payload) = (.text, allocator.buffer(string: text))
            case .binary(let bytes):
                (opcode, payload) = (.binary, allocator.buffer(bytes: bytes))
            }
            let compressed = compression.compress(payload, allocator: allocator)
            (compressed ?? payload).withUnsafeReadableBytes { self.writeFrame($0, opcode: opcode, rsv1: compressed != nil) }
            return
        }
        switch message {
        case .text(var text):
            text.withUTF8 { self.writeFrame(UnsafeRawBufferPointer($0), opcode: .text, rsv1: false) }
        case .binary(let bytes):
            bytes.withUnsafeBytes { self.writeFrame($0, opcode: .binary, rsv1: false) }
        }
    }

    /// Writes a message or streams a file (unflushed).
    private func write(_ item: consuming PendingSend) {
        switch consume item {
        case .message(let message):
            self.write(message)
        case .binary(let payload):
            self.write(binary: consume payload)
        case .file(let file):
            self.stream(file)
        }
    }

    /// Writes a binary message whose payload is a buffer of its own (unflushed).
    ///
    /// The header goes in a small buffer of its own, and the payload is masked in place and
    /// written as it is: bulk data is not copied (unless the buffer is also held elsewhere,
    /// when masking copies it first).
    private func write(binary payload: consuming ByteBuffer) {
        guard let context = self.context else {
            preconditionFailure("writing before the handler joined the pipeline")
        }
        self.statistics.sent(bytes: payload.readableBytes)
        if let compression = self.compression {
            if let compressed = compression.compress(payload, allocator: context.channel.allocator) {
                compressed.withUnsafeReadableBytes { self.writeFrame($0, opcode: .binary, rsv1: true) }
            } else {
                payload.withUnsafeReadableBytes { self.writeFrame($0, opcode: .binary, rsv1: false) }
            }
            return
        }
        let maskKey = self.outgoingMaskKey
        guard let encoderContext = self.encoderContext else {
            let frame = WebSocketFrame(fin: true, opcode: .binary, maskKey: maskKey, data: payload)
            context.write(self.wrapOutboundOut(frame), promise: nil)
            return
        }
        self.writeEncodedFrames()
        var header = context.channel.allocator.buffer(capacity: 14)
        header.writeWebSocketFrameHeader(fin: true, opcode: .binary, maskKey: maskKey, length: payload.readableBytes)
        if let maskKey {
            payload.withUnsafeMutableReadableBytes { bytes in
                maskKey.mask(UnsafeRawBufferPointer(bytes), into: bytes)
            }
        }
        encoderContext.write(NIOAny(header), promise: nil)
        encoderContext.write(NIOAny(payload), promise: nil)
    }

    /// Writes one whole data frame (unflushed): encoded into the shared buffer, or, without
    /// an encoder to write past, as a `WebSocketFrame`.
    private func writeFrame(_ payload: UnsafeRawBufferPointer, opcode: WebSocketOpcode, rsv1: Bool) {
        guard let context = self.context else {
            preconditionFailure("writing before the handler joined the pipeline")
        }
        guard self.encoderContext != nil else {
            let data = context.channel.allocator.buffer(bytes: payload)
            let frame = WebSocketFrame(fin: true, rsv1: rsv1, opcode: opcode, maskKey: self.outgoingMaskKey, data: data)
            context.write(self.wrapOutboundOut(frame), promise: nil)
            return
        }
        var buffer = self.encodedFrames ?? self.emptyFrameBuffer(context)
        self.encodedFrames = nil
        buffer.writeWebSocketFrame(fin: true, rsv1: rsv1, opcode: opcode, maskKey: self.outgoingMaskKey, payload: payload)
        self.encodedFrames = buffer
        if buffer.readableBytes >= Self.encodedFramesLimit {
            self.writeEncodedFrames()
        }
    }

    /// An empty buffer for encoded frames: the one last written when NIO is done with it
    /// (clearing it keeps its memory only then), else a new one.
    private func emptyFrameBuffer(_ context: ChannelHandlerContext) -> ByteBuffer {
        guard var buffer = self.writtenFrames else {
            return context.channel.allocator.buffer(capacity: Self.encodedFramesLimit + 64 * 1024)
        }
        self.writtenFrames = nil
        buffer.clear()
        return buffer
    }

    /// Writes the encoded frames waiting, past NIO's encoder (unflushed).
    ///
    /// Called before anything else is written or flushed, so frames keep their order.
    private func writeEncodedFrames() {
        guard let frames = self.encodedFrames, let encoderContext = self.encoderContext else {
            return
        }
        self.encodedFrames = nil
        encoderContext.write(NIOAny(frames), promise: nil)
        // One large message grows a buffer past the usual size: that one is not kept.
        self.writtenFrames = frames.capacity <= 2 * Self.encodedFramesLimit ? frames : nil
    }

    /// Writes a frame through NIO's encoder, after the encoded frames waiting.
    private func write(_ frame: WebSocketFrame, context: ChannelHandlerContext, promise: EventLoopPromise<Void>? = nil) {
        self.writeEncodedFrames()
        context.write(self.wrapOutboundOut(frame), promise: promise)
    }

    /// Flushes what was written, the encoded frames waiting included.
    private func flush(_ context: ChannelHandlerContext) {
        self.writeEncodedFrames()
        context.flush()
    }

    /// Writes what waited, in order, up to a file (which streams, the rest waiting behind it).
    private func sendQueued() {
        while let next = self.queue.nextToWrite() {
            self.write(next)
        }
        if let context = self.context {
            self.flush(context)
        }
        self.roomChanged()
    }

    /// Drops what waits to be sent; messages go back as an `unsent` event when asked for.
    private func discardQueued() {
        let discarded = self.queue.removeAll()
        var unsent: [Message] = []
        for item in discarded {
            if case .file(let file) = item {
                file.close()
            }
            unsent += item.messages
        }
        switch self.state.queuedSendsDiscarded() {
        case .giveBack where !unsent.isEmpty:
            self.emit(.unsent(unsent))
        case .giveBack, .drop:
            break
        }
        self.roomChanged()
    }

    // MARK: Streaming files

    private func stream(_ file: OutgoingFile) {
        self.emit(.progress(TransferProgress(name: file.name, sentBytes: 0, totalBytes: file.size, isComplete: false)))
        self.streamChunk(of: file, at: 0, lastReport: .now)
    }

    private func streamChunk(of file: OutgoingFile, at offset: Int64, lastReport: ContinuousClock.Instant) {
        guard let context = self.context else {
            // The pipeline is being torn down: the connection is over.
            self.finishStream(file, error: ConnectionError(.input, "sending '\(file.name)' stopped: the connection is no longer open"))
            return
        }
        let chunkSize = file.size.map { Int(min(Int64(Self.fileChunkSize), max($0 - offset, 0))) } ?? Self.fileChunkSize
        let allocator = context.channel.allocator
        let loopBoundSelf = NIOLoopBound(self, eventLoop: self.eventLoop)
        NIOThreadPool.singleton.runIfActive(eventLoop: self.eventLoop) { () throws -> ByteBuffer in
            var buffer = allocator.buffer(capacity: chunkSize)
            let count = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: chunkSize) { pointer in
                try file.read(into: UnsafeMutableRawBufferPointer(rebasing: pointer[..<chunkSize]), at: offset)
            }
            _ = count
            return buffer
        }.whenComplete { result in
            let handler = loopBoundSelf.value
            switch result {
            case .success(let chunk):
                handler.writeChunk(chunk, of: file, at: offset, lastReport: lastReport)
            case .failure(let error):
                handler.finishStream(file, error: ConnectionError(.input, "\(error)"))
            }
        }
    }

    private func writeChunk(_ chunk: ByteBuffer, of file: OutgoingFile, at offset: Int64, lastReport: ContinuousClock.Instant) {
        switch self.state.fileChunkRead() {
        case .writeChunk:
            break
        case .stopStreaming:
            self.finishStream(file, error: ConnectionError(.input, "sending '\(file.name)' stopped: the connection is no longer open"))
            return
        }
        guard let context = self.context else {
            self.finishStream(file, error: ConnectionError(.input, "sending '\(file.name)' stopped: the connection is no longer open"))
            return
        }
        let next = offset + Int64(chunk.readableBytes)
        // Without a size, the end is a read of nothing: the message ends with an empty frame.
        let atEnd = chunk.readableBytes == 0
        let shrank = file.size.map { atEnd && next < $0 } ?? false
        let fin = file.size.map { next >= $0 } ?? atEnd || shrank
        let opcode: WebSocketOpcode = offset == 0 ? (file.kind == .text ? .text : .binary) : .continuation
        let frame = WebSocketFrame(fin: fin, opcode: opcode, maskKey: self.outgoingMaskKey, data: chunk)
        let loopBoundSelf = NIOLoopBound(self, eventLoop: self.eventLoop)
        let written = context.eventLoop.makePromise(of: Void.self)
        self.write(frame, context: context, promise: written)
        self.flush(context)
        written.futureResult.whenComplete { result in
            let handler = loopBoundSelf.value
            switch result {
            case .failure(let error):
                handler.finishStream(file, error: ConnectionError(.input, "sending '\(file.name)' failed: \(error)"))
            case .success where fin:
                handler.statistics.sent(bytes: Int(next))
                if shrank {
                    handler.finishStream(file, error: ConnectionError(.input, "'\(file.name)' shrank while it was sent: sent \(next) of \(file.size ?? next) bytes"))
                } else {
                    handler.emit(.progress(TransferProgress(name: file.name, sentBytes: next, totalBytes: file.size, isComplete: true)))
                    handler.finishStream(file, error: nil)
                }
            case .success:
                handler.lastTraffic = .now
                var reportedAt = lastReport
                if lastReport.duration(to: .now) > .milliseconds(250) {
                    reportedAt = .now
                    handler.emit(.progress(TransferProgress(name: file.name, sentBytes: next, totalBytes: file.size, isComplete: false)))
                }
                handler.streamChunk(of: file, at: next, lastReport: reportedAt)
            }
        }
    }

    private func finishStream(_ file: OutgoingFile, error: ConnectionError?) {
        file.close()
        self.queue.streamEnded()
        if let error {
            self.emit(.error(error))
        }
        switch self.state.fileStreamEnded() {
        case .none:
            self.roomChanged()
        case .sendQueued:
            self.sendQueued()
        }
    }
}

extension WebSocketConnectionHandler {
    /// Errors that only say the peer went away without a word.
    ///
    /// For example, a TLS peer that closed TCP without close_notify: the close event (1006) says
    /// all there is.
    static func isQuietEnd(_ error: Error) -> Bool {
        if let error = error as? NIOSSLError, case .uncleanShutdown = error {
            return true
        }
        return false
    }
}
