import NIOCore
import NIOWebSocket
import WSCCore

/// Frames that arrive: read by ``FrameReader``, checked by ``FrameRules``, assembled by
/// ``MessageAssembler``, inflated, and delivered as events.
extension WebSocketConnectionHandler {
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = self.unwrapInboundIn(data)
        // The clock is read at the end of a burst of reads, not for every frame.
        self.isReading = true
        while let item = self.reader.next(from: &bytes) {
            switch item {
            case .frame(let frame):
                self.frameReceived(frame)
            case .frameTooLong(let length):
                // Its payload is passed over as it comes; what follows it (the peer's answer
                // to our close) is read as usual.
                self.violation(
                    .messageTooBig,
                    MessageAssembler.tooBigText(size: length, limit: self.settings.maximumMessageSize, atLeast: false)
                )
            case .textNotUTF8:
                // Said at the byte that makes the text invalid, before the frame or the
                // message is whole; the rest of that frame is passed over.
                self.violation(.invalidPayloadData, "text message is not valid UTF-8")
            }
        }
    }

    private func frameReceived(_ frame: FrameReader.Frame) {
        let verdict = self.rules.header(
            opcode: frame.opcode,
            fin: frame.fin,
            rsv1: frame.rsv1,
            rsv2: frame.rsv2,
            rsv3: frame.rsv3,
            masked: frame.masked,
            length: frame.payload.readableBytes
        )
        let kind: FrameRules.Kind
        switch verdict {
        case .accept(let accepted):
            kind = accepted
        case .violation(let code, let message):
            self.violation(code, message)
            return
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
            let payload = Array(frame.payload.readableBytesView)
            switch self.state.pingReceived() {
            case .none:
                break
            case .sendPong:
                self.write(OutboundFrame(opcode: .pong, payload: .bytes(payload)))
                self.flush()
            }
            self.emit(.ping(payload))
        case .pong:
            let payload = Array(frame.payload.readableBytesView)
            switch self.state.pongReceived() {
            case .emitPong:
                break
            case .matchKeepalive:
                _ = self.keepalive?.pongReceived(payload)
            }
            self.emit(.pong(payload, roundTrip: self.pings.pongReceived(payload, at: .now)))
        case .close:
            self.closeFrame(frame.payload)
        }
    }

    private func dataFrame(_ frame: FrameReader.Frame, kind: MessageAssembler.FrameKind) {
        switch self.state.dataFrameReceived() {
        case .assembleFrame:
            break
        case .ignoreFrame:
            return
        }
        var data = frame.payload
        switch self.assembler.frameReceived(kind, fin: frame.fin, rsv1: frame.rsv1, length: data.readableBytes) {
        case .deliverFrame(let messageKind, let compressed):
            self.deliver(data, kind: messageKind, compressed: compressed, checked: frame.endsCheckedText)
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
            self.deliver(message, kind: messageKind, compressed: compressed, checked: frame.endsCheckedText)
        case .fail(let code, let reason):
            self.partial = nil
            self.violation(code, reason)
        }
    }

    /// A whole message; `checked` when the reader checked all of its text as it came.
    private func deliver(
        _ received: ByteBuffer,
        kind: MessageAssembler.MessageKind,
        compressed: Bool,
        checked: Bool
    ) {
        var payload = received
        if compressed {
            guard let compression = self.compression, let allocator = self.channel?.allocator else {
                preconditionFailure("RSV1 passed the assembler without permessage-deflate")
            }
            do {
                payload = try compression.decompress(
                    received,
                    limit: self.settings.maximumMessageSize,
                    allocator: allocator
                )
            } catch {
                switch error {
                case .tooBig:
                    self.violation(
                        .messageTooBig,
                        "compressed message inflates beyond the limit of \(self.settings.maximumMessageSize) bytes"
                    )
                case .corrupt:
                    self.violation(.invalidPayloadData, "compressed message is not a valid deflate stream")
                }
                return
            }
        }
        // The message is the bytes it came in: a slice of what was read, when it came in
        // one frame within one read.
        let message: Message
        switch kind {
        case .text:
            // Text the reader checked as it came is not read again; inflated text is.
            guard (checked && !compressed) || payload.isValidUTF8 else {
                self.violation(.invalidPayloadData, "text message is not valid UTF-8")
                return
            }
            message = Message(kind: .text, payload: payload)
        case .binary:
            message = Message(kind: .binary, payload: payload)
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

    func violation(_ code: CloseCode, _ message: String) {
        self.run(
            self.state.protocolViolated(ConnectionError(.protocolViolation, "protocol error: \(message)"), code: code)
        )
    }
}
