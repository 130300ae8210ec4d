import NIOCore
import NIOWebSocket
import WSCCore

/// What the user sends: messages, payload buffers, files, pings and the close; the queue
/// of what waits, and the room senders wait for.
extension WebSocketConnectionHandler {
    func send(_ message: Message) {
        self.enqueue(.message(message))
        self.flush()
    }

    /// Sends messages in order with a single flush (a batch of piped lines).
    func send(contentsOf messages: [Message]) {
        for message in messages {
            self.enqueue(.message(message))
        }
        self.flush()
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
        self.flush()
    }

    func send(_ file: OutgoingFile) {
        self.enqueue(.file(file))
        self.flush()
    }

    /// Sends a ping or pong now; the pong of a ping is timed.
    ///
    /// When the connection is not open, an error event says so instead.
    func sendControl(_ opcode: WebSocketOpcode, payload: [UInt8]) {
        switch self.state.controlFrameRequested() {
        case .refuseFrame(let error):
            self.emit(.error(error))
        case .sendFrame:
            guard let context = self.writeContext else {
                preconditionFailure("the connection is open before the handler joined the pipeline")
            }
            if opcode == .ping {
                self.pings.pingSent(payload, at: .now)
            }
            self.writer.write(OutboundFrame(opcode: opcode, payload: .bytes(payload)), context: context)
            self.writer.flush(context: context)
        }
    }

    func close(code: CloseCode?, reason: String) {
        self.run(self.state.closeRequested(code: code, reason: reason))
    }

    /// Writes (without flushing), queues, gives back or refuses one send, as the state
    /// machine says.
    func enqueue(_ item: consuming PendingSend) {
        switch self.state.sendRequested() {
        case .sendMessage:
            if let now = self.queue.sendAllowed(item) {
                self.write(consume now)
            }
        case .queueMessage:
            self.queue.sendHeld(item)
        case .giveBackMessage(let error):
            guard case .file(let file) = item else {
                self.emit(.unsent(item.messages))
                return
            }
            // A file is not kept for the next connection.
            file.close()
            self.emit(.error(error))
        case .refuseMessage(let error):
            if case .file(let file) = consume item {
                file.close()
            }
            self.emit(.error(error))
        }
    }

    /// Writes a message, a payload buffer, or starts streaming a file (unflushed).
    func write(_ item: consuming PendingSend) {
        guard let context = self.writeContext else {
            preconditionFailure("writing before the handler joined the pipeline")
        }
        switch consume item {
        case .message(let message):
            self.statistics.sent(bytes: message.byteCount)
            self.writer.write(OutboundFrame(message), context: context)
        case .binary(let payload):
            self.statistics.sent(bytes: payload.readableBytes)
            self.writer.write(OutboundFrame(opcode: .binary, payload: .buffer(consume payload)), context: context)
        case .file(let file):
            self.stream(file)
        }
    }

    /// Writes a frame (unflushed).
    func write(_ frame: consuming OutboundFrame, promise: EventLoopPromise<Void>? = nil) {
        guard let context = self.writeContext else {
            preconditionFailure("writing before the handler joined the pipeline")
        }
        self.writer.write(frame, context: context, promise: promise)
    }

    /// Flushes what was written, when the handler is in the pipeline.
    func flush() {
        if let context = self.writeContext {
            self.writer.flush(context: context)
        }
    }

    /// Writes what waited, in order, up to a file (which streams, the rest waiting behind it).
    func sendQueued() {
        while let next = self.queue.nextToWrite() {
            self.write(consume next)
        }
        self.flush()
        self.roomChanged()
    }

    /// Drops what waits to be sent, as the connection is over: messages go back in an
    /// `unsent` event (for the next connection, or to be reported as not sent), and a file
    /// that never went says so. Nothing is dropped without a word.
    func discardQueued() {
        let discarded = self.queue.removeAll()
        var unsent: [Message] = []
        for item in discarded {
            if case .file(let file) = item {
                file.close()
                self.emit(
                    .error(ConnectionError(.input, "'\(file.name)' not sent: the connection ended before its turn"))
                )
            }
            unsent += item.messages
        }
        if !unsent.isEmpty {
            self.emit(.unsent(unsent))
        }
        self.roomChanged()
    }

    /// Completes once everything handed over so far was written to the socket, or the
    /// connection is over (then nothing more will be).
    func whenWritten(_ promise: EventLoopPromise<Void>) {
        self.writtenWaiters.append(promise)
        self.releaseWrittenWaiters()
    }

    /// Once nothing waits in the queue, the waiters for "written" get a promise on a last,
    /// empty write: the socket completes writes in order.
    func releaseWrittenWaiters() {
        guard !self.writtenWaiters.isEmpty, !self.queue.isBusy else {
            return
        }
        let waiters = self.writtenWaiters
        self.writtenWaiters = []
        guard let context = self.writeContext, self.channel?.isActive == true else {
            for waiter in waiters {
                waiter.succeed()
            }
            return
        }
        self.flush()
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenComplete { _ in
            for waiter in waiters {
                waiter.succeed()
            }
        }
        context.writeAndFlush(NIOAny(context.channel.allocator.buffer(capacity: 0)), promise: written)
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
    var socketWritable: Bool { self.channel?.isWritable ?? true }

    /// Whether an echo could be written now without waiting.
    var echoesFit: Bool { self.queue.hasRoom(.write, socketWritable: self.socketWritable) }

    /// Something changed the room to send (a write, the socket's writability, the state):
    /// lets the senders that may go on go, and paces reading.
    func roomChanged() {
        for waiter in self.queue.roomChanged(self.state.sendGate, socketWritable: self.socketWritable) {
            waiter.succeed()
        }
        self.releaseWrittenWaiters()
        self.run(self.pacing.roomChanged(echoesFit: self.echoesFit))
    }

    /// The consumer has handled this many messages; reading resumes once it has caught up.
    func acknowledge(_ count: Int) {
        self.run(self.pacing.messagesHandled(count, echoesFit: self.echoesFit))
    }
}
