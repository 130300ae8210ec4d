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

    /// Records of standard input split on `separator` (the separator removed; a final
    /// record without one is kept).
    public static func records(separator: UInt8 = UInt8(ascii: "\n"), descriptor: CInt = STDIN_FILENO) -> InputBatches {
        let (stream, continuation) = AsyncStream.makeStream(of: [[UInt8]].self, bufferingPolicy: .unbounded)
        // Created at 0 and raised: libdispatch traps when a semaphore is freed below its initial value.
        let credits = DispatchSemaphore(value: 0)
        for _ in 0..<Self.readAhead {
            credits.signal()
        }
        DispatchQueue(label: "wsc.stdin").async {
            var pending: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: Self.chunkSize)
            while true {
                credits.wait()
                let count = Self.read(descriptor, into: &chunk)
                guard count > 0 else {
                    break
                }
                var batch: [[UInt8]] = []
                var start = 0
                for index in 0..<count where chunk[index] == separator {
                    pending.append(contentsOf: chunk[start..<index])
                    batch.append(pending)
                    pending.removeAll(keepingCapacity: true)
                    start = index + 1
                }
                pending.append(contentsOf: chunk[start..<count])
                if batch.isEmpty {
                    credits.signal()
                } else {
                    continuation.yield(batch)
                }
            }
            if !pending.isEmpty {
                continuation.yield([pending])
            }
            continuation.finish()
        }
        return InputBatches(stream: stream, credits: credits)
    }

    /// All of standard input as one record (also when it is empty).
    public static func whole(descriptor: CInt = STDIN_FILENO) -> InputBatches {
        let (stream, continuation) = AsyncStream.makeStream(of: [[UInt8]].self, bufferingPolicy: .unbounded)
        DispatchQueue(label: "wsc.stdin").async {
            var all: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: Self.chunkSize)
            while true {
                let count = Self.read(descriptor, into: &chunk)
                guard count > 0 else {
                    break
                }
                all.append(contentsOf: chunk[0..<count])
            }
            continuation.yield([all])
            continuation.finish()
        }
        return InputBatches(stream: stream, credits: DispatchSemaphore(value: 0))
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
    public let stream: AsyncStream<[[UInt8]]>
    let credits: DispatchSemaphore

    /// The consumer has dealt with one batch: the reader may read another chunk.
    public func consumed() {
        self.credits.signal()
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
