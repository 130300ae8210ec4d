import Dispatch
import NIOCore
import Synchronization
import Testing

@testable import WSCInput

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("Reading standard input")
struct InputLineReaderTests {
    @Test(
        "--chunk-size: records of the size asked, the last one shorter, every byte in order",
        arguments: [1000, InputLineReader.directReadMinimum, 65536]
    )
    func chunks(size: Int) async throws {
        var generator = SystemRandomNumberGenerator()
        let input = (0..<300_007).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let pipe = try Pipe()
        // Odd-sized writes, so that reads come back short and records span several of them.
        pipe.write(input, pieces: [1, 4095, 70_000, 3, 100_000])
        let records = await Self.collect(
            InputLineReader.chunks(of: size, descriptor: pipe.reading),
            closing: pipe.reading
        )
        #expect(records.dropLast().allSatisfy { $0.count == size })
        #expect(records.last?.count == input.count % size)
        #expect(records.count == input.count / size + 1)
        #expect(records.flatMap { $0 } == input)
    }

    @Test("--chunk-size: from 16 KiB each record is a buffer of its own, which a connection sends without a copy")
    func chunkKinds() async throws {
        for (size, asBuffers) in [
            (InputLineReader.directReadMinimum - 1, false), (InputLineReader.directReadMinimum, true),
        ] {
            let pipe = try Pipe()
            pipe.write([UInt8](repeating: 1, count: 3 * size), pieces: [size])
            var kinds: [Bool] = []
            let batches = InputLineReader.chunks(of: size, descriptor: pipe.reading)
            for await batch in batches.stream {
                kinds += batch.map { if case .buffer = $0 { true } else { false } }
                batches.consumed()
            }
            close(pipe.reading)
            #expect(kinds == [asBuffers, asBuffers, asBuffers])
        }
    }

    @Test("--chunk-size: a record is sent once it is full, while the writer still has the pipe open")
    func chunkNotHeldBack() async throws {
        let size = InputLineReader.directReadMinimum
        let pipe = try Pipe()
        let received = DispatchSemaphore(value: 0)
        let waited = Waited()
        DispatchQueue.global().async {
            pipe.writeAll([UInt8](repeating: 7, count: size))
            // Without the first record, this times out and the test fails. The limit is only a
            // hang guard: on a loaded machine the consumer may wait long for a thread.
            let timedOut = received.wait(timeout: .now() + 120) == .timedOut
            waited.timedOut.withLock { $0 = timedOut }
            pipe.writeAll([8])
            pipe.closeWriting()
        }
        var records: [[UInt8]] = []
        let batches = InputLineReader.chunks(of: size, descriptor: pipe.reading)
        for await batch in batches.stream {
            records += Self.bytes(of: batch)
            received.signal()
            batches.consumed()
        }
        close(pipe.reading)
        #expect(!waited.timedOut.withLock { $0 })
        #expect(records == [[UInt8](repeating: 7, count: size), [8]])
    }

    @Test("--chunk-size: an empty input makes no record")
    func emptyInput() async throws {
        for size in [10, InputLineReader.directReadMinimum] {
            let pipe = try Pipe()
            pipe.closeWriting()
            #expect(
                await Self.collect(InputLineReader.chunks(of: size, descriptor: pipe.reading), closing: pipe.reading)
                    .isEmpty
            )
        }
    }

    @Test("lines: split on the separator, the last one kept without it, a line over the limit by its size")
    func lines() async throws {
        let pipe = try Pipe()
        pipe.write(Array("one\ntwo\n\(String(repeating: "x", count: 20))\nlast".utf8), pieces: [2, 5])
        var records: [InputRecord] = []
        let batches = InputLineReader.records(limit: 10, descriptor: pipe.reading)
        for await batch in batches.stream {
            // A notice that the long line passed the limit comes when a read ends inside it.
            records += batch.filter { if case .passedLimit = $0 { false } else { true } }
            batches.consumed()
        }
        close(pipe.reading)
        #expect(
            records == [
                .complete(ByteBuffer(string: "one")), .complete(ByteBuffer(string: "two")), .tooLong(20),
                .complete(ByteBuffer(string: "last")),
            ]
        )
    }

    @Test("lines: a line still being read says once, as it passes the limit, that it will not be sent")
    func passedLimitNotice() async throws {
        let pipe = try Pipe()
        var records: [InputRecord] = []
        let batches = InputLineReader.records(limit: 10, descriptor: pipe.reading)
        // The writer holds the pipe open with the long line unfinished: the notice comes before its end.
        pipe.writeAll(Array("ok\n".utf8) + [UInt8](repeating: 0x78, count: 25))
        var writerOpen = true
        for await batch in batches.stream {
            records += batch
            batches.consumed()
            if writerOpen, records.contains(where: { if case .passedLimit = $0 { true } else { false } }) {
                #expect(records == [.complete(ByteBuffer(string: "ok")), .passedLimit(25)])
                // Now the line ends (at the end of input), and is reported with its size.
                writerOpen = false
                pipe.closeWriting()
            }
        }
        close(pipe.reading)
        #expect(!writerOpen)
        #expect(records == [.complete(ByteBuffer(string: "ok")), .passedLimit(25), .tooLong(25)])
    }

    @Test("lines: each record holds about its own size, however many lines came before it")
    func recordsStayTheirSize() async throws {
        let line = Array(repeating: UInt8(ascii: "a"), count: 100) + [UInt8(ascii: "\n")]
        let count = 100_000
        let pipe = try Pipe()
        // Lines cut at every place by the reads: 64 KiB is not a multiple of 101.
        pipe.write(Array(Array(repeating: line, count: count).joined()), pieces: [65_536])
        var largest = 0
        var seen = 0
        let batches = InputLineReader.records(descriptor: pipe.reading)
        for await batch in batches.stream {
            for case .complete(let bytes) in batch {
                largest = max(largest, bytes.capacity)
                seen += bytes.readableBytes == 100 ? 1 : 0
            }
            batches.consumed()
        }
        close(pipe.reading)
        #expect(seen == count)
        // A line cut by a read grows once (to less than twice its size); a capacity carried from
        // record to record grew without end (to 632 bytes in a benchmark).
        #expect(largest < 256)
    }

    /// Every record of the batches, the consumer keeping up; then closes `descriptor`.
    private static func collect(_ batches: InputBatches, closing descriptor: CInt) async -> [[UInt8]] {
        var records: [[UInt8]] = []
        for await batch in batches.stream {
            records += Self.bytes(of: batch)
            batches.consumed()
        }
        close(descriptor)
        return records
    }

    private static func bytes(of batch: [InputRecord]) -> [[UInt8]] {
        batch.map { record in
            guard let bytes = record.bytes else {
                Issue.record("a record too long: \(record)")
                return []
            }
            return bytes
        }
    }
}

/// Whether the writer of ``InputLineReaderTests/chunkNotHeldBack()`` waited in vain.
private final class Waited: Sendable {
    let timedOut = Mutex(false)
}

/// A pipe whose writing end is fed from another thread.
private struct Pipe: Sendable {
    let reading: CInt
    let writing: CInt

    init() throws {
        var descriptors: [CInt] = [0, 0]
        guard pipe(&descriptors) == 0 else {
            throw PipeError()
        }
        self.reading = descriptors[0]
        self.writing = descriptors[1]
    }

    /// Writes `bytes` on another thread in pieces of these sizes, in turn, then closes.
    func write(_ bytes: [UInt8], pieces: [Int]) {
        DispatchQueue.global().async {
            var start = 0
            var piece = 0
            while start < bytes.count {
                let end = min(start + pieces[piece % pieces.count], bytes.count)
                self.writeAll(Array(bytes[start..<end]))
                start = end
                piece += 1
            }
            self.closeWriting()
        }
    }

    func writeAll(_ bytes: [UInt8]) {
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { systemWrite(self.writing, $0.baseAddress, $0.count) }
            guard count > 0 else {
                return
            }
            written += count
        }
    }

    func closeWriting() {
        close(self.writing)
    }
}

private struct PipeError: Error {}

private func systemWrite(_ descriptor: CInt, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(descriptor, buffer, count)
    #else
        Darwin.write(descriptor, buffer, count)
    #endif
}
