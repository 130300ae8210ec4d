import NIOCore
import NIOPosix
import NIOWebSocket
import WSCCore

/// Sending a file: one message, read a chunk at a time on NIO's thread pool and written
/// as frames whose payload is the chunk's own buffer (masked in place, not copied).
///
/// What ``FileTransfer`` decides (the chunks, the frames, when to read the next chunk,
/// the reports) this carries out: the next chunk is read while the last is written, with
/// at most two chunks in memory.
extension WebSocketConnectionHandler {
    /// A file being sent.
    struct Streaming {
        var file: OutgoingFile
        var transfer: FileTransfer
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
        self.streaming = streaming
        if frame.readNext {
            self.readChunk()
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        self.writer.write(outbound, context: context, promise: written)
        self.writer.flush(context: context)
        self.lastTraffic = .now
        if let report = frame.report {
            self.emit(.progress(report))
        }
        let loopBoundSelf = NIOLoopBound(self, eventLoop: self.eventLoop)
        let name = streaming.file.name
        let sent = streaming.transfer.offset
        written.futureResult.whenComplete { result in
            loopBoundSelf.value.chunkWritten(result, end: frame.end, name: name, sent: sent)
        }
    }

    /// A chunk is in the socket: read the next, or end the transfer with its last.
    private func chunkWritten(_ result: Result<Void, any Error>, end: FileTransfer.End?, name: String, sent: Int64) {
        switch (result, end) {
        case (.failure, _):
            // Writes fail when the connection is gone: its close ends the stream
            // (``streamCutOff()``), before what waits behind it is given back.
            self.channel?.close(promise: nil)
        case (.success, nil):
            guard var streaming = self.streaming else {
                return
            }
            let action = streaming.transfer.chunkWritten()
            self.streaming = streaming
            switch action {
            case .none:
                break
            case .readNextChunk:
                self.readChunk()
            }
        case (.success, .complete(let report)):
            self.statistics.sent(bytes: Int(sent))
            self.lastTraffic = .now
            self.emit(.progress(report))
            self.finishStreaming(error: nil)
        case (.success, .shrank(let sent, let size)):
            self.statistics.sent(bytes: Int(sent))
            self.finishStreaming(
                error: ConnectionError(.input, "'\(name)' shrank while it was sent: sent \(sent) of \(size) bytes")
            )
        }
    }

    /// The connection is gone: a file being sent stops, said before the close is.
    func streamCutOff() {
        _ = self.endStream(error: self.stoppedError)
    }

    private var stoppedError: ConnectionError {
        ConnectionError(
            .input,
            "sending '\(self.streaming?.file.name ?? "the file")' stopped: the connection is no longer open"
        )
    }

    /// Closes the file and says how the stream ended; false when none was under way.
    private func endStream(error: ConnectionError?) -> Bool {
        guard let streaming = self.streaming else {
            return false
        }
        self.streaming = nil
        streaming.file.close()
        self.queue.streamEnded()
        if let error {
            self.emit(.error(error))
        }
        return true
    }

    private func finishStreaming(error: ConnectionError?) {
        guard self.endStream(error: error) else {
            return
        }
        switch self.state.fileStreamEnded() {
        case .none:
            self.roomChanged()
        case .sendQueued:
            self.sendQueued()
        }
    }
}
