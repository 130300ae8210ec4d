import NIOCore
import NIOPosix
import NIOSSL
import NIOWebSocket
import WSCCore

/// Runs one connection on its event loop, as a client or as a server.
///
/// It carries out what its pure values decide: the ``ConnectionStateMachine`` (the
/// connection's life), the ``OutboundQueue`` (sends that wait, and senders waiting for
/// room), ``ReadPacing`` (when to stop reading), ``FileTransfer`` (a file being sent),
/// ``FrameRules`` and ``MessageAssembler`` (what arrives). It sits at the end of the
/// pipeline once upgraded, and every frame it sends goes through its ``FrameWriter``.
///
/// Every method runs on `eventLoop`. Events leave through `emitBatch`, in order: the
/// messages of one burst of reads together, every other event at once.
///
/// Its concerns are in files of their own: the opening (`+Opening`), sending
/// (`+Sending`), frames that arrive (`+Receiving`), carrying out the state machine's
/// actions (`+Actions`), files (`+Files`) and keepalive pings (`+Keepalive`).
final class WebSocketConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    var settings: ConnectionSettings
    let eventLoop: EventLoop
    /// Where events leave, a batch at a time.
    let emitBatch: @Sendable ([ConnectionEvent]) -> Void
    /// Messages received in the current burst of reads, emitted together when it ends.
    var receivedEvents: [ConnectionEvent] = []
    /// Whether a burst of reads is under way (between `channelRead` and `channelReadComplete`).
    var isReading = false
    /// Whether the current burst of reads held a data frame (which makes it traffic).
    var burstHadData = false

    var state: ConnectionStateMachine
    /// Reads the frames out of the bytes that arrive.
    var reader: FrameReader
    var assembler: MessageAssembler
    /// RFC 6455's rules for the frames that arrive, for our role.
    var rules: FrameRules { FrameRules(role: self.settings.role) }
    /// The TCP channel, once connected.
    var channel: Channel?
    /// Where frames are written from, once the handler joined the pipeline after the upgrade.
    ///
    /// That is the place of NIO's `WebSocketFrameEncoder`, which NIO's upgraders put in the
    /// pipeline and which cannot be removed: every frame is encoded by ``writer`` and written
    /// past it, so nothing goes through it. In a pipeline without it (a test's), this
    /// handler's own context.
    var writeContext: ChannelHandlerContext?
    /// Encodes and writes every frame sent.
    var writer: FrameWriter
    /// Sends waiting for the connection to open or for a file to finish, and the senders
    /// waiting for room (see ``whenReady(_:)``).
    var queue = OutboundQueue<PendingSend, EventLoopPromise<Void>>()
    /// Waiting for everything handed over to be written (see ``whenWritten(_:)``).
    var writtenWaiters: [EventLoopPromise<Void>] = []
    /// When to stop reading the socket, and when to start again.
    var pacing: ReadPacing
    /// The file being sent, if any.
    var streaming: Streaming?
    /// The fragments of the message being assembled.
    var partial: ByteBuffer?
    var closeTimer: Scheduled<Void>?
    var openInfo: OpenInfo?
    var openedAt: ContinuousClock.Instant?
    var statistics = ConnectionStatistics()
    var pings = PingTracker()
    /// When a data frame was last read or a file chunk written, for "idle" decisions.
    ///
    /// Pings and pongs are not traffic: a keepalive of either side's (wsc's own
    /// `--ping-interval`, a server's heartbeat) would otherwise keep a piped session whose
    /// input has ended from ever being idle.
    var lastTraffic = ContinuousClock.now

    /// The keepalive pings' state and timers (`--ping-interval`).
    var keepalive: Keepalive?
    var keepaliveIntervalTimer: Scheduled<Void>?
    /// The timeout timer of the outstanding keepalive ping (one at a time).
    var keepaliveTimeoutTimer: Scheduled<Void>?

    /// Echoes written since the last flush (flushed when a burst of reads ends).
    var echoNeedsFlush = false

    /// permessage-deflate, once agreed.
    var compression: PerMessageDeflateCodec?

    init(settings: ConnectionSettings, eventLoop: EventLoop, emitBatch: @escaping @Sendable ([ConnectionEvent]) -> Void)
    {
        self.settings = settings
        self.eventLoop = eventLoop
        self.emitBatch = emitBatch
        self.state = ConnectionStateMachine(
            role: settings.role,
            echoes: settings.echo,
            givesBackUnsent: settings.givesBackUnsent
        )
        self.pacing = ReadPacing(echoes: settings.echo)
        self.reader = FrameReader(limit: settings.maximumMessageSize)
        self.assembler = MessageAssembler(maximumMessageSize: settings.maximumMessageSize)
        self.writer = FrameWriter(role: settings.role)
    }

    /// Creates a handler whose events leave one at a time.
    convenience init(
        settings: ConnectionSettings,
        eventLoop: EventLoop,
        emit: @escaping @Sendable (ConnectionEvent) -> Void
    ) {
        self.init(settings: settings, eventLoop: eventLoop) { events in
            for event in events {
                emit(event)
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

    func emitReceivedEvents() {
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

    // MARK: ChannelHandler

    func handlerAdded(context: ChannelHandlerContext) {
        self.writeContext =
            (try? context.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self)) ?? context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.writeContext = nil
        self.writer.reset()
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
            self.flush()
        }
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.isReading = false
        self.emitReceivedEvents()
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        self.roomChanged()
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard !Self.isQuietEnd(error) else {
            context.close(promise: nil)
            return
        }
        switch self.state.transportFailed(
            ConnectionError(.protocolViolation, "connection error: \(ConnectionError.describe(error))")
        ) {
        case .closeChannel:
            break
        case .fireErrorAndCloseChannel(let error):
            self.emit(.error(error))
        }
        context.close(promise: nil)
    }

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
