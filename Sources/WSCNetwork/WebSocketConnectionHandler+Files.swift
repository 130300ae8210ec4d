import NIOCore
import NIOPosix
import NIOWebSocket
import WSCCore

/// Sending a file: one message, read a chunk at a time on NIO's thread pool and written
/// as frames whose payload is the chunk's own buffer (masked in place, not copied).
///
/// The next chunk is read while the last one is written, as long as the socket takes
/// writes; when it does not, reading waits for it. So at most two chunks are in memory,
/// and a file streams at the speed of the socket. What ``FileTransfer`` decides (the
/// chunks, the frames, the reports) this carries out.
extension WebSocketConnectionHandler {
    /// A file being sent.
    struct Streaming {
        var file: OutgoingFile
        var transfer: FileTransfer
        /// Whether the next read waits for the socket to take writes.
        var waitingForRoom = false
    }

    func stream(_ file: OutgoingFile) {
        let transfer = FileTransfer(name: file.name, size: file.size, kind: file.kind, now: .now)
        self.streaming = Streaming(file: file, transfer: transfer)
        self.emit(.progress(transfer.started))
        self.readChunk()
    }

    /// Reads the next chunk on the thread pool.
    private func readChunk() {
        guard let streaming = self.streaming, let allocator = self.channel?.allocator else {
            self.finishStreaming(error: self.stoppedError)
            return
        }
        let (offset, length) = streaming.transfer.nextChunk
        let file = streaming.file
        let loopBoundSelf = NIOLoopBound(self, eventLoop: self.eventLoop)
        NIOThreadPool.singleton.runIfActive(eventLoop: self.eventLoop) { () throws -> ByteBuffer in
            var buffer = allocator.buffer(capacity: length)
            _ = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { pointer in
                try file.read(into: UnsafeMutableRawBufferPointer(rebasing: pointer[..<length]), at: offset)
            }
            return buffer
        }.whenComplete { result in
            loopBoundSelf.value.chunkRead(result)
        }
    }

    private func chunkRead(_ result: Result<ByteBuffer, any Error>) {
        let chunk: ByteBuffer
        switch result {
        case .success(let read):
            chunk = read
        case .failure(let error):
            self.finishStreaming(error: ConnectionError(.input, "\(error)"))
            return
        }
        switch self.state.fileChunkRead() {
        case .writeChunk:
            break
        case .stopStreaming:
            self.finishStreaming(error: self.stoppedError)
            return
        }
        guard var streaming = self.streaming, let context = self.writeContext else {
            self.finishStreaming(error: self.stoppedError)
            return
        }
        let frame = streaming.transfer.chunkRead(count: chunk.readableBytes, now: .now)
        let opcode: WebSocketOpcode
        switch frame.kind {
        case .text: opcode = .text
        case .binary: opcode = .binary
        case .continuation: opcode = .continuation
        }
        let outbound = OutboundFrame(opcode: opcode, fin: frame.fin, payload: .buffer(chunk))
        guard let end = frame.end else {
            // Read the next chunk while this one is written, unless the socket is full.
            streaming.waitingForRoom = !context.channel.isWritable
            self.streaming = streaming
            if !streaming.waitingForRoom {
                self.readChunk()
            }
            self.writer.write(outbound, context: context)
            self.writer.flush(context: context)
            self.lastTraffic = .now
            if let report = frame.report {
                self.emit(.progress(report))
            }
            return
        }
        self.streaming = streaming
        let written = context.eventLoop.makePromise(of: Void.self)
        self.writer.write(outbound, context: context, promise: written)
        self.writer.flush(context: context)
        let loopBoundSelf = NIOLoopBound(self, eventLoop: self.eventLoop)
        let name = streaming.file.name
        let sent = streaming.transfer.offset
        written.futureResult.whenComplete { result in
            let handler = loopBoundSelf.value
            switch (result, end) {
            case (.failure(let error), _):
                handler.finishStreaming(error: ConnectionError(.input, "sending '\(name)' failed: \(error)"))
            case (.success, .complete(let report)):
                handler.statistics.sent(bytes: Int(sent))
                handler.lastTraffic = .now
                handler.emit(.progress(report))
                handler.finishStreaming(error: nil)
            case (.success, .shrank(let sent, let size)):
                handler.statistics.sent(bytes: Int(sent))
                handler.finishStreaming(
                    error: ConnectionError(.input, "'\(name)' shrank while it was sent: sent \(sent) of \(size) bytes")
                )
            }
        }
    }

    /// The socket takes writes again: a stream that waited for it reads on.
    func resumeStreamingIfRoom() {
        guard var streaming = self.streaming, streaming.waitingForRoom, self.socketWritable else {
            return
        }
        streaming.waitingForRoom = false
        self.streaming = streaming
        self.readChunk()
    }

    /// The connection ended: a stream that waited for room will get none.
    func stopStreamingIfWaiting() {
        guard let streaming = self.streaming, streaming.waitingForRoom else {
            return
        }
        self.finishStreaming(error: self.stoppedError)
    }

    private var stoppedError: ConnectionError {
        ConnectionError(
            .input,
            "sending '\(self.streaming?.file.name ?? "the file")' stopped: the connection is no longer open"
        )
    }

    private func finishStreaming(error: ConnectionError?) {
        guard let streaming = self.streaming else {
            return
        }
        self.streaming = nil
        streaming.file.close()
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
