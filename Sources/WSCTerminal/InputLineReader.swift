import Dispatch

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
    /// The size of one read of ``chunks(of:descriptor:)``, which sends bulk data.
    static let largeChunkSize = 512 * 1024
    /// How many large chunks may be read ahead: two keep the connection busy, and bound
    /// the bulk data in memory to a megabyte.
    static let largeReadAhead = 2

    /// Records of standard input split on `separator` (the separator removed; a final
    /// record without one is kept).
    ///
    /// A record longer than `limit` bytes is not kept: the rest of it is read and dropped,
    /// and it comes as ``InputRecord/tooLong(_:)``, so memory stays bounded by the limit.
    public static func records(separator: UInt8 = UInt8(ascii: "\n"), limit: Int = .max, descriptor: CInt = STDIN_FILENO) -> InputBatches {
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
                all.append(chunk[0..<count])
            }
            continuation.yield([all.take()])
            continuation.finish()
        }
        return InputBatches(stream: stream, credits: DispatchSemaphore(value: 0))
    }

    /// Standard input cut into records of `size` bytes (the last may be shorter), wherever
    /// the cuts fall; read ahead by a few chunks at most, as ``records(separator:limit:descriptor:)``.
    public static func chunks(of size: Int, descriptor: CInt = STDIN_FILENO) -> InputBatches {
        // Large reads: a batch then holds many records, and costs one hop to the connection.
        Self.batches(of: SizeCutter(size: size), readSize: Self.largeChunkSize, readAhead: Self.largeReadAhead, descriptor: descriptor)
    }

    /// Reads on a thread of its own, `readSize` bytes at a time, and yields the records
    /// `cutter` makes of each read as one batch; at most `readAhead` reads ahead.
    private static func batches<Cutter: RecordCutter>(of cutter: Cutter, readSize: Int, readAhead: Int, descriptor: CInt) -> InputBatches {
        let (stream, continuation) = AsyncStream.makeStream(of: [InputRecord].self, bufferingPolicy: .unbounded)
        // Created at 0 and raised: libdispatch traps when a semaphore is freed below its initial value.
        let credits = DispatchSemaphore(value: 0)
        for _ in 0..<readAhead {
            credits.signal()
        }
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

    /// One `read(2)`, retried on EINTR; 0 at the end of input or on an error.
    private static func read(_ descriptor: CInt, into chunk: inout [UInt8]) -> Int {
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in
                systemRead(descriptor, buffer.baseAddress, buffer.count)
            }
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
    private var bytes: [UInt8] = []
    /// The record's size so far, also once its bytes are dropped.
    private var size = 0

    init(limit: Int) {
        self.limit = limit
    }

    var isEmpty: Bool { self.size == 0 }

    mutating func append(_ part: ArraySlice<UInt8>) {
        self.size += part.count
        if self.size > self.limit {
            self.bytes = []
        } else {
            self.bytes.append(contentsOf: part)
        }
    }

    /// The record read so far; the buffer starts the next one.
    mutating func take() -> InputRecord {
        defer {
            self.bytes.removeAll(keepingCapacity: self.size <= self.limit)
            self.size = 0
        }
        return self.size > self.limit ? .tooLong(self.size) : .complete(self.bytes)
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
