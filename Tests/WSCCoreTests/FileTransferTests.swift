import Testing
import WSCCore

@Suite("FileTransfer")
struct FileTransferTests {
    static let chunk = FileTransfer.chunkSize
    static let start = ContinuousClock.now

    @Test(
        "a file of known size: chunks of chunkSize, the first with the message's kind, the one that reaches the size last"
    )
    func knownSize() {
        var transfer = FileTransfer(name: "f", size: Int64(Self.chunk * 2 + 10), kind: .binary, now: Self.start)
        #expect(
            transfer.started
                == TransferProgress(name: "f", sentBytes: 0, totalBytes: Int64(Self.chunk * 2 + 10), isComplete: false)
        )
        #expect(transfer.nextChunk == (0, Self.chunk))
        #expect(
            transfer.chunkRead(count: Self.chunk, now: Self.start)
                == .init(kind: .binary, fin: false, report: nil, end: nil, readNext: true)
        )
        #expect(transfer.nextChunk == (Int64(Self.chunk), Self.chunk))
        #expect(transfer.chunkRead(count: Self.chunk, now: Self.start).kind == .continuation)
        #expect(transfer.nextChunk == (Int64(Self.chunk * 2), 10))
        let last = transfer.chunkRead(count: 10, now: Self.start)
        let total = Int64(Self.chunk * 2 + 10)
        #expect(
            last
                == .init(
                    kind: .continuation,
                    fin: true,
                    report: nil,
                    end: .complete(TransferProgress(name: "f", sentBytes: total, totalBytes: total, isComplete: true))
                )
        )
    }

    @Test("an empty file is one empty frame of the message's kind that ends it")
    func empty() {
        var transfer = FileTransfer(name: "e", size: 0, kind: .text, now: Self.start)
        #expect(transfer.nextChunk == (0, 0))
        let frame = transfer.chunkRead(count: 0, now: Self.start)
        #expect(frame.kind == .text && frame.fin)
        #expect(frame.end == .complete(TransferProgress(name: "e", sentBytes: 0, totalBytes: 0, isComplete: true)))
    }

    @Test("without a size, the end is a read of nothing: an empty last frame")
    func unknownSize() {
        var transfer = FileTransfer(name: "p", size: nil, kind: .binary, now: Self.start)
        #expect(transfer.nextChunk == (0, Self.chunk))
        #expect(!transfer.chunkRead(count: 100, now: Self.start).fin)
        #expect(transfer.nextChunk == (100, Self.chunk))
        let last = transfer.chunkRead(count: 0, now: Self.start)
        #expect(last.kind == .continuation && last.fin)
        #expect(last.end == .complete(TransferProgress(name: "p", sentBytes: 100, totalBytes: nil, isComplete: true)))
    }

    @Test("a file that ends before its size ends the message and says how much was sent")
    func shrank() {
        var transfer = FileTransfer(name: "s", size: 1000, kind: .binary, now: Self.start)
        #expect(!transfer.chunkRead(count: 600, now: Self.start).fin)
        let last = transfer.chunkRead(count: 0, now: Self.start)
        #expect(last.fin && last.end == .shrank(sent: 600, size: 1000))
    }

    @Test("progress is reported at most every reportInterval, with the bytes handed over")
    func reports() {
        var transfer = FileTransfer(name: "r", size: Int64(Self.chunk * 10), kind: .binary, now: Self.start)
        #expect(transfer.chunkRead(count: Self.chunk, now: Self.start + .milliseconds(100)).report == nil)
        let report = transfer.chunkRead(count: Self.chunk, now: Self.start + .milliseconds(300)).report
        #expect(
            report
                == TransferProgress(
                    name: "r",
                    sentBytes: Int64(Self.chunk * 2),
                    totalBytes: Int64(Self.chunk * 10),
                    isComplete: false
                )
        )
        #expect(transfer.chunkRead(count: Self.chunk, now: Self.start + .milliseconds(500)).report == nil)
        #expect(transfer.chunkRead(count: Self.chunk, now: Self.start + .milliseconds(600)).report != nil)
    }

    @Test("the next chunk is read while one is written, never while two wait: at most two chunks in memory")
    func readingAhead() {
        var transfer = FileTransfer(name: "a", size: Int64(Self.chunk * 5), kind: .binary, now: Self.start)
        #expect(FileTransfer.chunksInMemory == 2)
        #expect(transfer.chunkRead(count: Self.chunk, now: Self.start).readNext)
        #expect(!transfer.chunkRead(count: Self.chunk, now: Self.start).readNext)
        #expect(transfer.chunkWritten() == .readNextChunk)
        #expect(transfer.chunkWritten() == .none)
        #expect(transfer.chunkRead(count: Self.chunk, now: Self.start).readNext)
        #expect(!transfer.chunkRead(count: Self.chunk, now: Self.start).readNext)
        #expect(transfer.chunkWritten() == .readNextChunk)
        let last = transfer.chunkRead(count: Self.chunk, now: Self.start)
        #expect(last.end != nil && !last.readNext)
        #expect(transfer.chunkWritten() == .none)
    }
}
