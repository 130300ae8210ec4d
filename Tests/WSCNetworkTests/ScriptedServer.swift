import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import WSCCore

/// A real NIO WebSocket server on 127.0.0.1:0 whose behaviour each test scripts.
///
/// It records what clients sent (request heads, frames) so tests can check the wire.
final class ScriptedServer: Sendable {
    /// What the server does with the upgrade request.
    enum Upgrade: Sendable {
        /// Accept, adding these response headers.
        case accept(HTTPHeaders)
        /// Refuse with this status and body.
        case refuse(HTTPResponseStatus, String)
    }

    /// Called once a client is upgraded, with its channel.
    typealias OnOpen = @Sendable (Channel) -> Void
    /// Called for every frame a client sends (after unmasking is possible via `unmaskedData`).
    typealias OnFrame = @Sendable (WebSocketFrame, Channel) -> Void

    let channel: Channel
    let requests = NIOLockedValueBox<[HTTPRequestHead]>([])
    let frames = NIOLockedValueBox<[WebSocketFrame]>([])

    var port: Int { self.channel.localAddress?.port ?? 0 }

    private init(channel: Channel) {
        self.channel = channel
    }

    static func start(
        host: String = "127.0.0.1",
        upgrade: Upgrade = .accept(HTTPHeaders()),
        tls: NIOSSLContext? = nil,
        maxFrameSize: Int = 1 << 24,
        onOpen: @escaping OnOpen = { _ in },
        onFrame: @escaping OnFrame = ScriptedServer.echo
    ) async throws -> ScriptedServer {
        let recorder = Recorder()
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    let upgrader = NIOTypedWebSocketServerUpgrader<Bool>(
                        maxFrameSize: maxFrameSize,
                        enableAutomaticErrorHandling: false,
                        shouldUpgrade: { channel, head in
                            recorder.request(head)
                            switch upgrade {
                            case .accept(let headers): return channel.eventLoop.makeSucceededFuture(headers)
                            case .refuse: return channel.eventLoop.makeSucceededFuture(nil)
                            }
                        },
                        upgradePipelineHandler: { channel, _ in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(
                                    FrameHandler(recorder: recorder, onFrame: onFrame)
                                )
                                onOpen(channel)
                                return true
                            }
                        }
                    )
                    let configuration = NIOUpgradableHTTPServerPipelineConfiguration(
                        upgradeConfiguration: NIOTypedHTTPServerUpgradeConfiguration<Bool>(
                            upgraders: [upgrader],
                            notUpgradingCompletionHandler: { channel in
                                channel.eventLoop.makeCompletedFuture {
                                    if case .refuse(let status, let body) = upgrade {
                                        try channel.pipeline.syncOperations.addHandler(
                                            Refuser(status: status, body: body)
                                        )
                                    }
                                    return false
                                }
                            }
                        )
                    )
                    _ = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(
                        configuration: configuration
                    )
                }
            }
        let channel = try await bootstrap.bind(host: host, port: 0).get()
        let server = ScriptedServer(channel: channel)
        recorder.server.withLockedValue { $0 = server }
        return server
    }

    /// Echoes data frames, answers pings, and completes the close handshake.
    static let echo: OnFrame = { frame, channel in
        switch frame.opcode {
        case .text, .binary, .continuation:
            channel.writeAndFlush(
                WebSocketFrame(fin: frame.fin, opcode: frame.opcode, data: frame.unmaskedData),
                promise: nil
            )
        case .ping:
            channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData), promise: nil)
        case .connectionClose:
            ScriptedServer.replyToClose(frame, on: channel)
        default:
            break
        }
    }

    /// Sends the client's close code back, then closes TCP.
    static func replyToClose(_ frame: WebSocketFrame, on channel: Channel) {
        var data = frame.unmaskedData
        let code = data.readInteger(as: UInt16.self)
        var reply = channel.allocator.buffer(capacity: 2)
        if let code {
            reply.writeInteger(code)
        }
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: reply)).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    /// A close frame from the server with this code and reason.
    static func closeFrame(_ code: UInt16, _ reason: String, allocator: ByteBufferAllocator) -> WebSocketFrame {
        var data = allocator.buffer(capacity: 2 + reason.utf8.count)
        data.writeInteger(code)
        data.writeString(reason)
        return WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
    }

    func stop() async {
        try? await self.channel.close()
    }
}

/// Records requests and frames into the server (set once it exists).
private final class Recorder: Sendable {
    let server = NIOLockedValueBox<ScriptedServer?>(nil)
    private let early = NIOLockedValueBox<[HTTPRequestHead]>([])

    func request(_ head: HTTPRequestHead) {
        self.server.withLockedValue { server in
            server?.requests.withLockedValue { $0.append(head) }
        }
    }

    func frame(_ frame: WebSocketFrame) {
        self.server.withLockedValue { server in
            server?.frames.withLockedValue { $0.append(frame) }
        }
    }
}

private final class FrameHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame

    let recorder: Recorder
    let onFrame: ScriptedServer.OnFrame

    init(recorder: Recorder, onFrame: @escaping ScriptedServer.OnFrame) {
        self.recorder = recorder
        self.onFrame = onFrame
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = self.unwrapInboundIn(data)
        self.recorder.frame(frame)
        self.onFrame(frame, context.channel)
    }
}

private final class Refuser: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let status: HTTPResponseStatus
    let body: String

    init(status: HTTPResponseStatus, body: String) {
        self.status = status
        self.body = body
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = self.unwrapInboundIn(data) else {
            return
        }
        let headers = HTTPHeaders([("Content-Length", String(self.body.utf8.count)), ("Content-Type", "text/plain")])
        context.write(
            self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: self.status, headers: headers))),
            promise: nil
        )
        context.write(
            self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: self.body)))),
            promise: nil
        )
        context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
    }
}

/// A TCP server that answers any request with fixed bytes (for broken handshakes).
final class RawServer: Sendable {
    let channel: Channel
    var port: Int { self.channel.localAddress?.port ?? 0 }

    private init(channel: Channel) {
        self.channel = channel
    }

    /// `respond` gets the request text and returns what to write (nil: write nothing, keep open).
    static func start(respond: @escaping @Sendable (String) -> String?) async throws -> RawServer {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RawHandler(respond: respond))
                }
            }
        return RawServer(channel: try await bootstrap.bind(host: "127.0.0.1", port: 0).get())
    }

    func stop() async {
        try? await self.channel.close()
    }
}

private final class RawHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let respond: @Sendable (String) -> String?
    var request = ""
    var answered = false

    init(respond: @escaping @Sendable (String) -> String?) {
        self.respond = respond
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = self.unwrapInboundIn(data)
        self.request += buffer.readString(length: buffer.readableBytes) ?? ""
        guard !self.answered, self.request.contains("\r\n\r\n") else {
            return
        }
        self.answered = true
        if let response = self.respond(self.request) {
            context.writeAndFlush(
                self.wrapOutboundOut(context.channel.allocator.buffer(string: response)),
                promise: nil
            )
        }
    }
}
