import NIOCore
import WSCCore

/// Opens a tunnel through a SOCKS5 proxy, then leaves the pipeline.
///
/// It only runs what `SOCKS5Negotiation` decides. The destination may come later than the
/// TCP connection (a name resolved here for `socks5://`), so the greeting waits for both.
/// swift-nio-extras' `SOCKSClientHandler` is not used because it has no username/password
/// authentication (RFC 1929).
final class SOCKS5ConnectHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let proxy: ProxySettings
    private let destination: EventLoopFuture<SOCKS5Negotiation.Destination>
    private let port: Int
    private let promise: EventLoopPromise<Void>
    private var negotiation: SOCKS5Negotiation?
    private var pending: [UInt8] = []
    private var finished = false

    /// A handler that asks `proxy` for a tunnel to `destination:port` and completes `promise`.
    init(
        proxy: ProxySettings,
        destination: EventLoopFuture<SOCKS5Negotiation.Destination>,
        port: Int,
        promise: EventLoopPromise<Void>
    ) {
        self.proxy = proxy
        self.destination = destination
        self.port = port
        self.promise = promise
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive {
            self.begin(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // A channel given up on (the losing address of a name with several) never became
        // active: its promise must still complete.
        if !self.finished {
            self.finished = true
            self.promise.fail(
                ConnectionError(.connect, "the proxy \(self.proxy) did not open a tunnel: the connection was given up")
            )
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.begin(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Array(buffer: self.unwrapInboundIn(data))
        guard !self.finished else {
            context.fireChannelRead(data)
            return
        }
        guard self.negotiation != nil else {
            // The proxy spoke before the greeting: keep it for when the greeting is out.
            self.pending += bytes
            return
        }
        self.run(self.negotiation?.received(bytes) ?? .wait, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.fail("it closed the connection during the SOCKS5 handshake", context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard !self.finished else {
            context.fireErrorCaught(error)
            return
        }
        self.fail(ConnectionError.describe(error), context: context)
    }

    /// Waits for the destination, then sends the greeting.
    private func begin(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        self.destination.whenComplete { result in
            let (handler, context) = loopBound.value
            guard !handler.finished else {
                return
            }
            do {
                var negotiation = try SOCKS5Negotiation(
                    destination: try result.get(),
                    port: handler.port,
                    user: handler.proxy.user,
                    password: handler.proxy.password
                )
                let greeting = negotiation.start()
                handler.negotiation = negotiation
                context.writeAndFlush(handler.bytesOut(greeting), promise: nil)
                if !handler.pending.isEmpty {
                    let early = handler.pending
                    handler.pending = []
                    handler.run(handler.negotiation?.received(early) ?? .wait, context: context)
                }
            } catch let error as ConnectionError {
                handler.finished = true
                handler.promise.fail(error)
                context.close(promise: nil)
            } catch {
                handler.fail("\(error)", context: context)
            }
        }
    }

    private func run(_ action: SOCKS5Negotiation.Action, context: ChannelHandlerContext) {
        switch action {
        case .send(let bytes):
            context.writeAndFlush(self.bytesOut(bytes), promise: nil)
        case .wait:
            break
        case .established(let leftover):
            self.finished = true
            self.promise.succeed(())
            if !leftover.isEmpty {
                context.fireChannelRead(self.wrapInboundOut(context.channel.allocator.buffer(bytes: leftover)))
            }
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        case .fail(let reason):
            self.fail(reason, context: context)
        }
    }

    /// Gives up: the tunnel was not opened, for this reason.
    private func fail(_ reason: String, context: ChannelHandlerContext) {
        guard !self.finished else {
            return
        }
        self.finished = true
        self.promise.fail(ConnectionError(.connect, "the proxy \(self.proxy) did not open a tunnel: \(reason)"))
        context.close(promise: nil)
    }

    private func bytesOut(_ bytes: [UInt8]) -> NIOAny {
        NIOAny(ByteBuffer(bytes: bytes))
    }
}
