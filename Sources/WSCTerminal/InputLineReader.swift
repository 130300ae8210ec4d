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
/// Reading happens on a thread of its own; records arrive in order through an
/// `AsyncStream`, which finishes at end of input.
public enum InputLineReader {
    /// Records of standard input split on `separator` (the separator removed; a final
    /// record without one is kept).
    public static func records(separator: UInt8 = UInt8(ascii: "\n"), descriptor: CInt = STDIN_FILENO) -> AsyncStream<[UInt8]> {
        let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: .unbounded)
        let queue = DispatchQueue(label: "wsc.stdin")
        queue.async {
            var pending: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = chunk.withUnsafeMutableBytes { buffer in
                    read(descriptor, buffer.baseAddress, buffer.count)
                }
                if count < 0, errno == EINTR {
                    continue
                }
                guard count > 0 else {
                    break
                }
                var start = 0
                for index in 0..<count where chunk[index] == separator {
                    pending.append(contentsOf: chunk[start..<index])
                    continuation.yield(pending)
                    pending.removeAll(keepingCapacity: true)
                    start = index + 1
                }
                pending.append(contentsOf: chunk[start..<count])
            }
            if !pending.isEmpty {
                continuation.yield(pending)
            }
            continuation.finish()
        }
        return stream
    }

    /// All of standard input as one record (also when it is empty).
    public static func whole(descriptor: CInt = STDIN_FILENO) -> AsyncStream<[UInt8]> {
        let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: .unbounded)
        DispatchQueue(label: "wsc.stdin").async {
            var all: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = chunk.withUnsafeMutableBytes { buffer in
                    read(descriptor, buffer.baseAddress, buffer.count)
                }
                if count < 0, errno == EINTR {
                    continue
                }
                guard count > 0 else {
                    break
                }
                all.append(contentsOf: chunk[0..<count])
            }
            continuation.yield(all)
            continuation.finish()
        }
        return stream
    }
}
