/// Where a file being sent stands: which chunk to read next, how to frame each chunk,
/// and when to report progress.
///
/// A pure value; the connection reads the chunks and writes the frames. A file is one
/// message, fragmented into frames of ``chunkSize`` bytes. When its size is known the
/// frame that reaches it is the last; when it is not (a pipe, a file in `/proc`), the
/// end is a read of nothing, and the message ends with an empty frame. A file that ends
/// before its size ends the message there and is reported as shrunk.
///
/// The next chunk is read while the last is written, but at most ``chunksInMemory``
/// chunks are read or being read and not yet in the socket: a socket that takes nothing
/// holds the reading back.
public struct FileTransfer: Sendable {
    /// Frames of a file are this big.
    public static var chunkSize: Int { 256 * 1024 }
    /// At most this many chunks are in memory at once: one being written, the next read.
    public static var chunksInMemory: Int { 2 }
    /// Progress is reported at most this often while a file is sent.
    public static var reportInterval: Duration { .milliseconds(250) }

    /// The file's name as the user gave it.
    public let name: String
    /// Its size, when known.
    public let size: Int64?
    /// Whether it is sent as a text or a binary message.
    public let kind: MessageAssembler.MessageKind
    /// Bytes read and handed over so far: where the next chunk starts.
    public private(set) var offset: Int64 = 0
    /// When progress was last reported.
    private var lastReport: ContinuousClock.Instant
    /// Whether a chunk is being read (the transfer starts with a read).
    private var isReading = true
    /// Chunks handed to the socket and not yet written.
    private var unwritten = 0
    /// Whether the last chunk was read.
    private var lastRead = false

    /// How one chunk goes out.
    public struct Frame: Hashable, Sendable {
        /// The frame's kind: the message's for the first, continuation for the rest.
        public var kind: MessageAssembler.FrameKind
        /// Whether it ends the message.
        public var fin: Bool
        /// A progress report to give now (at most every ``reportInterval``).
        public var report: TransferProgress?
        /// For the last frame: how the transfer ends, once the frame is written.
        public var end: End?
        /// Whether to read the next chunk now, while this one is written.
        public var readNext: Bool

        public init(
            kind: MessageAssembler.FrameKind,
            fin: Bool,
            report: TransferProgress?,
            end: End?,
            readNext: Bool = false
        ) {
            self.kind = kind
            self.fin = fin
            self.report = report
            self.end = end
            self.readNext = readNext
        }
    }

    /// How a transfer ends.
    public enum End: Hashable, Sendable {
        /// Every byte was sent: the last report.
        case complete(TransferProgress)
        /// The file ended early: this many bytes of the size it had were sent.
        case shrank(sent: Int64, size: Int64)
    }

    public init(name: String, size: Int64?, kind: MessageAssembler.MessageKind, now: ContinuousClock.Instant) {
        self.name = name
        self.size = size
        self.kind = kind
        self.lastReport = now
    }

    /// The report at the start: nothing sent yet.
    public var started: TransferProgress {
        TransferProgress(name: self.name, sentBytes: 0, totalBytes: self.size, isComplete: false)
    }

    /// The next chunk to read: where, and at most how many bytes.
    public var nextChunk: (offset: Int64, length: Int) {
        guard let size = self.size else {
            return (self.offset, Self.chunkSize)
        }
        return (self.offset, Int(min(Int64(Self.chunkSize), max(size - self.offset, 0))))
    }

    /// The next chunk was read, `count` bytes of it: how it goes out, and whether to read
    /// the one after it now.
    public mutating func chunkRead(count: Int, now: ContinuousClock.Instant) -> Frame {
        var frame = self.frame(count: count, now: now)
        self.isReading = false
        self.unwritten += 1
        if frame.end != nil {
            self.lastRead = true
        } else if self.unwritten < Self.chunksInMemory {
            self.isReading = true
            frame.readNext = true
        }
        return frame
    }

    /// A chunk that did not end the message is in the socket: whether to read the next now.
    public mutating func chunkWritten() -> ChunkWrittenAction {
        precondition(self.unwritten > 0, "a chunk was written that was never read")
        self.unwritten -= 1
        guard !self.isReading, !self.lastRead else {
            return .none
        }
        self.isReading = true
        return .readNextChunk
    }

    /// What to do once a chunk is in the socket.
    public enum ChunkWrittenAction: Hashable, Sendable {
        /// Nothing: the next chunk is being read, or the last one was.
        case none
        /// Read the next chunk.
        case readNextChunk
    }

    private mutating func frame(count: Int, now: ContinuousClock.Instant) -> Frame {
        let kind: MessageAssembler.FrameKind
        switch (self.offset, self.kind) {
        case (0, .text): kind = .text
        case (0, .binary): kind = .binary
        default: kind = .continuation
        }
        let next = self.offset + Int64(count)
        self.offset = next
        let atEnd = count == 0
        guard let size = self.size else {
            guard atEnd else {
                return Frame(kind: kind, fin: false, report: self.report(now: now), end: nil)
            }
            return Frame(kind: kind, fin: true, report: nil, end: .complete(self.progress(complete: true)))
        }
        if atEnd, next < size {
            return Frame(kind: kind, fin: true, report: nil, end: .shrank(sent: next, size: size))
        }
        guard next >= size else {
            return Frame(kind: kind, fin: false, report: self.report(now: now), end: nil)
        }
        return Frame(kind: kind, fin: true, report: nil, end: .complete(self.progress(complete: true)))
    }

    private func progress(complete: Bool) -> TransferProgress {
        TransferProgress(name: self.name, sentBytes: self.offset, totalBytes: self.size, isComplete: complete)
    }

    private mutating func report(now: ContinuousClock.Instant) -> TransferProgress? {
        guard self.lastReport.duration(to: now) > Self.reportInterval else {
            return nil
        }
        self.lastReport = now
        return self.progress(complete: false)
    }
}
