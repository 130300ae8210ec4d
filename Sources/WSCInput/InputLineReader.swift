import Dispatch
import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads standard input that is not a terminal, in large chunks, and splits it into records.
///
/// Reading happens on a thread of its own and delivers one batch of records per chunk
/// read, in order. It reads ahead by at most a few chunks: the consumer calls
/// ``InputBatches/consumed()`` once it has dealt with a batch, so a slow connection
/// slows the reading down instead of filling memory.
public enum InputLineReader {
    /// How many chunks may be read before the consumer caught up.
    static let readAhead = 4
    /// The size of one read.
    static let chunkSize = 64 * 1024
    /// The size of one read of ``chunks(of:descriptor:)``, which sends bulk data (or of a
    /// batch of its records, when they are read straight into place).
    static let largeChunkSize = 512 * 1024
    /// How many large chunks may be read ahead: two keep the connection busy, and bound
    /// the bulk data in memory to a megabyte.
    static let largeReadAhead = 2
    /// From this record size on, ``chunks(of:descriptor:)`` reads each record straight into
    /// place; smaller ones are cut from large reads (one read per record would cost more
    /// than the copy it saves).
    static let directReadMinimum = 16 * 1024

    /// Records of standard input split on `separator` (the separator removed; a final
    /// record without one is kept).
    ///
    /// A record longer than `limit` bytes is not kept: the rest of it is read and dropped,
    /// and it comes as ``InputRecord/tooLong(_:)``, so memory stays bounded by the limit.
    public static func records(
        separator: UInt8 = UInt8(ascii: "\n"),
        limit: Int = .max,
        descriptor: CInt = STDIN_FILENO
    ) -> InputBatches {
        Self.batches(
            of: LineCutter(separator: separator, pending: RecordBuffer(limit: limit)),
            readSize: Self.chunkSize,
            readAhead: Self.readAhead,
            descriptor: descriptor
        )
    }

    /// All of standard input as one record (also when it is empty), or its size when it
    /// is longer than `limit` bytes.
    public static func whole(limit: Int = .max, descriptor: CInt = STDIN_FILENO) -> InputBatches {
        let (stream, continuation) = AsyncStream.makeStream(of: [InputRecord].self, bufferingPolicy: .unbounded)
        DispatchQueue(label: "wsc.stdin").async {
            var all = RecordBuffer(limit: limit)
            var chunk = [UInt8](repeating: 0, count: Self.chunkSize)
            while true {
                let count = Self.read(descriptor, into: &chunk)
                guard count > 0 else {
                    break
                }
                if all.append(chunk[0..<count]) {
                    continuation.yield([.passedLimit(all.size)])
                }
            }
            continuation.yield([all.take()])
            continuation.finish()
        }
        return InputBatches(stream: stream, credits: DispatchSemaphore(value: 0))
    }

    /// Standard input cut into records of `size` bytes (the last may be shorter), wherever
    /// the cuts fall; read ahead by a few chunks at most, as ``records(separator:limit:descriptor:)``.
    ///
    /// From ``directReadMinimum`` bytes on, each record is a buffer of its own
    /// (``InputRecord/buffer(_:)``); smaller ones are ``InputRecord/complete(_:)``.
    public static func chunks(of size: Int, descriptor: CInt = STDIN_FILENO) -> InputBatches {
        guard size < Self.directReadMinimum else {
            return Self.sizedBatches(of: size, descriptor: descriptor)
        }
        // Large reads: a batch then holds many records, and costs one hop to the connection.
        return Self.batches(
            of: SizeCutter(size: size),
            readSize: Self.largeChunkSize,
            readAhead: Self.largeReadAhead,
            descriptor: descriptor
        )
    }

    /// Records of `size` bytes read straight into buffers of their own (``InputRecord/buffer(_:)``),
    /// a batch of about ``largeChunkSize`` bytes at a time: bulk data is not copied from a read
    /// buffer, nor on its way to the socket.
    ///
    /// A record is only complete when full (or at the end of input), as with ``SizeCutter``.
    /// Before a read that would wait for the writer, the records already complete are sent.
    private static func sizedBatches(of size: Int, descriptor: CInt) -> InputBatches {
        let (stream, continuation) = AsyncStream.makeStream(of: [InputRecord].self, bufferingPolicy: .unbounded)
        let credits = Self.credits(Self.largeReadAhead)
        let recordsPerBatch = max(1, Self.largeChunkSize / size)
        let allocator = ByteBufferAllocator()
        DispatchQueue(label: "wsc.stdin").async {
            var batch: [InputRecord] = []
            batch.reserveCapacity(recordsPerBatch)
            // Handed over, not shared: the connection masks records in place, and one still
            // referenced here (the consumer may run before `yield` returns) would be copied first.
            func handOver() {
                var full: [InputRecord] = []
                full.reserveCapacity(recordsPerBatch)
                swap(&full, &batch)
                continuation.yield(consume full)
            }
            // Each batch sent takes a credit, and the one being filled holds it.
            func send() {
                handOver()
                credits.wait()
            }
            var atEnd = false
            credits.wait()
            while !atEnd {
                var record = allocator.buffer(capacity: size)
                while !atEnd, record.readableBytes < size {
                    if !batch.isEmpty, !Self.isReadable(descriptor) {
                        send()
                    }
                    let wanted = size - record.readableBytes
                    let count = record.writeWithUnsafeMutableBytes(minimumWritableBytes: wanted) { free in
                        Self.read(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: free[..<wanted]))
                    }
                    atEnd = count == 0
                }
                if record.readableBytes > 0 {
                    batch.append(.buffer(consume record))
                }
                if !atEnd, batch.count == recordsPerBatch {
                    send()
                }
            }
            if !batch.isEmpty {
                handOver()
            }
            continuation.finish()
        }
        return InputBatches(stream: stream, credits: credits)
    }

    /// Reads on a thread of its own, `readSize` bytes at a time, and yields the records
    /// `cutter` makes of each read as one batch; at most `readAhead` reads ahead.
    private static func batches<Cutter: RecordCutter>(
        of cutter: Cutter,
        readSize: Int,
        readAhead: Int,
        descriptor: CInt
    ) -> InputBatches {
        let (stream, continuation) = AsyncStream.makeStream(of: [InputRecord].self, bufferingPolicy: .unbounded)
        let credits = Self.credits(readAhead)
        DispatchQueue(label: "wsc.stdin").async {
            var cutter = cutter
            var chunk = [UInt8](repeating: 0, count: readSize)
            while true {
                credits.wait()
                let count = Self.read(descriptor, into: &chunk)
                guard count > 0 else {
                    break
                }
                var batch: [InputRecord] = []
                cutter.cut(chunk[0..<count], into: &batch)
                if batch.isEmpty {
                    credits.signal()
                } else {
                    continuation.yield(batch)
                }
            }
            if let last = cutter.rest() {
                continuation.yield([last])
            }
            continuation.finish()
        }
        return InputBatches(stream: stream, credits: credits)
    }

    /// A semaphore that lets the reader run `count` batches ahead of the consumer.
    private static func credits(_ count: Int) -> DispatchSemaphore {
        // Created at 0 and raised: libdispatch traps when a semaphore is freed below its initial value.
        let credits = DispatchSemaphore(value: 0)
        for _ in 0..<count {
            credits.signal()
        }
        return credits
    }

    /// One `read(2)`, retried on EINTR; 0 at the end of input or on an error.
    private static func read(_ descriptor: CInt, into chunk: inout [UInt8]) -> Int {
        chunk.withUnsafeMutableBytes { buffer in
            Self.read(descriptor, into: buffer)
        }
    }

    /// Whether a read would return at once: data or the end of input is there (`poll(2)`, no wait).
    private static func isReadable(_ descriptor: CInt) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) != 0
    }

    /// One `read(2)` into `buffer`, retried on EINTR; 0 at the end of input or on an error.
    private static func read(_ descriptor: CInt, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        while true {
            let count = systemRead(descriptor, buffer.baseAddress, buffer.count)
            if count < 0, errno == EINTR {
                continue
            }
            return max(count, 0)
        }
    }
}

/// Batches of input records, and the way to ask for more.
public struct InputBatches: Sendable {
    /// The batches, in order; finishes at the end of input.
    public let stream: AsyncStream<[InputRecord]>
    let credits: DispatchSemaphore

    /// The consumer has dealt with one batch: the reader may read another chunk.
    public func consumed() {
        self.credits.signal()
    }
}

/// The bytes of the record being read, kept only while within the size limit.
struct RecordBuffer {
    let limit: Int
    private var bytes = ByteBuffer()
    /// The record's size so far, also once its bytes are dropped.
    private(set) var size = 0

    init(limit: Int) {
        self.limit = limit
    }

    var isEmpty: Bool { self.size == 0 }

    /// Adds a part of the record; true when that made it pass the limit.
    @discardableResult
    mutating func append(_ part: ArraySlice<UInt8>) -> Bool {
        let wasWithin = self.size <= self.limit
        self.size += part.count
        if self.size > self.limit {
            self.bytes = ByteBuffer()
            return wasWithin
        }
        self.bytes.writeBytes(part)
        return false
    }

    /// The record read so far; the buffer starts the next one.
    ///
    /// The bytes are handed over, and the next record gets storage of its own: keeping the
    /// capacity would copy it into every later record, and since `malloc` may round an
    /// allocation up, that capacity would only ever grow (measured: 632 bytes for lines of 100).
    mutating func take() -> InputRecord {
        defer {
            self.bytes = ByteBuffer()
            self.size = 0
        }
        return self.size > self.limit ? .tooLong(self.size) : .complete(self.bytes)
    }

    /// The record read so far with `last` at its end; a record that lies whole in `last` is
    /// made in one allocation of its own size.
    mutating func take(endingWith last: ArraySlice<UInt8>) -> InputRecord {
        guard self.isEmpty else {
            self.append(last)
            return self.take()
        }
        return last.count > self.limit ? .tooLong(last.count) : .complete(ByteBuffer(bytes: last))
    }
}

private func systemRead(_ descriptor: CInt, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.read(descriptor, buffer, count)
    #elseif canImport(Musl)
        Musl.read(descriptor, buffer, count)
    #else
        Darwin.read(descriptor, buffer, count)
    #endif
}
