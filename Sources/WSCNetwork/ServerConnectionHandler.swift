import NIOCore
import NIOWebSocket
import WSCCore

/// One client of a ``WebSocketServer``: reports its messages, echoes them if asked, and
/// runs the server side of the close handshake.
final class ServerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let id: Int
    private let echo: Bool
    private let events: @Sendable (Int, ConnectionEvent) -> Void
    private var received: (code: CloseCode?, reason: String)?
    private var closeSent = false

    init(id: Int, echo: Bool, events: @escaping @Sendable (Int, ConnectionEvent) -> Void) {
        self.id = id
        self.echo = echo
        self.events = events
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = self.unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            let data = frame.unmaskedData
            if frame.opcode == .text {
                guard let text = String(validating: data.readableBytesView, as: UTF8.self) else {
                    self.close(context: context, code: .invalidPayloadData)
                    return
                }
                self.events(self.id, .message(.text(text)))
            } else {
                self.events(self.id, .message(.binary(Array(data.readableBytesView))))
            }
            if self.echo, !self.closeSent {
                let reply = WebSocketFrame(fin: true, opcode: frame.opcode, data: data)
                context.writeAndFlush(self.wrapOutboundOut(reply), promise: nil)
            }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
            context.writeAndFlush(self.wrapOutboundOut(pong), promise: nil)
        case .pong:
            break
        case .connectionClose:
            var payload = frame.unmaskedData
            let code = payload.readInteger(as: UInt16.self).map(CloseCode.init(rawValue:))
            let reason = payload.readString(length: payload.readableBytes) ?? ""
            self.received = (code, reason)
            if self.closeSent {
                context.close(promise: nil)
            } else {
                self.closeSent = true
                var reply = context.channel.allocator.buffer(capacity: 2)
                if let code {
                    reply.writeInteger(code.rawValue)
                }
                let frame = WebSocketFrame(fin: true, opcode: .connectionClose, data: reply)
                let channel = context.channel
                context.writeAndFlush(self.wrapOutboundOut(frame)).whenComplete { _ in
                    channel.close(promise: nil)
                }
            }
        default:
            self.close(context: context, code: .protocolError)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let info: CloseInfo
        if let received = self.received, self.closeSent {
            info = CloseInfo(code: received.code ?? .noStatusReceived, reason: received.reason, wasClean: true, initiator: .peer)
        } else {
            info = .abnormal(initiator: .transport)
        }
        self.events(self.id, .close(info))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        let code: CloseCode = (error as? NIOWebSocketError) == .invalidFrameLength ? .messageTooBig : .protocolError
        self.close(context: context, code: code)
    }

    private func close(context: ChannelHandlerContext, code: CloseCode) {
        guard !self.closeSent else {
            context.close(promise: nil)
            return
        }
        self.closeSent = true
        var payload = context.channel.allocator.buffer(capacity: 2)
        payload.writeInteger(code.rawValue)
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)
        context.writeAndFlush(self.wrapOutboundOut(frame), promise: nil)
    }
}
