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
    static let largeChunkSize = 1 << 20

    /// Records of standard input split on `separator` (the separator removed; a final
    /// record without one is kept).
    ///
    /// A record longer than `limit` bytes is not kept: the rest of it is read and dropped,
    /// and it comes as ``InputRecord/tooLong(_:)``, so memory stays bounded by the limit.
    public static func records(separator: UInt8 = UInt8(ascii: "\n"), limit: Int = .max, descriptor: CInt = STDIN_FILENO) -> InputBatches {
        let (stream, continuation) = AsyncStream.makeStream(of: [InputRecord].self, bufferingPolicy: .unbounded)
        // Created at 0 and raised: libdispatch traps when a semaphore is freed below its initial value.
        let credits = DispatchSemaphore(value: 0)
        for _ in 0..<Self.readAhead {
            credits.signal()
        }
        DispatchQueue(label: "wsc.stdin").async {
            var pending = RecordBuffer(limit: limit)
            var chunk = [UInt8](repeating: 0, count: Self.chunkSize)
            while true {
                credits.wait()
                let count = Self.read(descriptor, into: &chunk)
                guard count > 0 else {
                    break
                }
                var batch: [InputRecord] = []
                var start = 0
                while let index = Self.firstIndex(of: separator, in: chunk, from: start, to: count) {
                    pending.append(chunk[start..<index])
                    batch.append(pending.take())
                    start = index + 1
                }
                pending.append(chunk[start..<count])
                if batch.isEmpty {
                    credits.signal()
                } else {
                    continuation.yield(batch)
                }
            }
            if !pending.isEmpty {
                continuation.yield([pending.take()])
            }
            continuation.finish()
        }
        return InputBatches(stream: stream, credits: credits)
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
        let (stream, continuation) = AsyncStream.makeStream(of: [InputRecord].self, bufferingPolicy: .unbounded)
        let credits = DispatchSemaphore(value: 0)
        for _ in 0..<Self.readAhead {
            credits.signal()
        }
        DispatchQueue(label: "wsc.stdin").async {
            var record: [UInt8] = []
            record.reserveCapacity(size)
            // Large reads: a batch then holds many records, and costs one hop to the connection.
            var chunk = [UInt8](repeating: 0, count: Self.largeChunkSize)
            while true {
                credits.wait()
                let count = Self.read(descriptor, into: &chunk)
                guard count > 0 else {
                    break
                }
                var batch: [InputRecord] = []
                var start = 0
                while start < count {
                    let end = min(start + size - record.count, count)
                    record.append(contentsOf: chunk[start..<end])
                    start = end
                    if record.count == size {
                        batch.append(.complete(record))
                        record = []
                        record.reserveCapacity(size)
                    }
                }
                if batch.isEmpty {
                    credits.signal()
                } else {
                    continuation.yield(batch)
                }
            }
            if !record.isEmpty {
                continuation.yield([.complete(record)])
            }
            continuation.finish()
        }
        return InputBatches(stream: stream, credits: credits)
    }

    /// The index of the first `byte` in `chunk[start..<end]` (memchr: input can be gigabytes).
    private static func firstIndex(of byte: UInt8, in chunk: [UInt8], from start: Int, to end: Int) -> Int? {
        guard start < end else {
            return nil
        }
        return chunk.withUnsafeBytes { buffer -> Int? in
            guard let base = buffer.baseAddress, let found = memchr(base + start, CInt(byte), end - start) else {
                return nil
            }
            return UnsafeRawPointer(found) - base
        }
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
