import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing
import WSCCore

@testable import WSCNetwork

/// The frame reader over bytes cut anywhere: the frames it reads, and what it reports.
@Suite("Frames read as they come: oversized ones passed over, text checked")
struct FrameReaderTests {
    /// Feeds a reader and keeps what it reads.
    struct Sink {
        var reader: FrameReader
        var frames: [FrameReader.Frame] = []
        var tooLong: [UInt64] = []
        /// How many frames had been read when the text was found not to be UTF-8.
        var notUTF8AfterFrames: [Int] = []

        init(limit: Int) {
            self.reader = FrameReader(limit: limit)
        }

        mutating func writeInbound(_ buffer: ByteBuffer) {
            var bytes = buffer
            while let item = self.reader.next(from: &bytes) {
                switch item {
                case .frame(let frame):
                    self.frames.append(frame)
                case .frameTooLong(let length):
                    self.tooLong.append(length)
                case .textNotUTF8:
                    self.notUTF8AfterFrames.append(self.frames.count)
                }
            }
            #expect(bytes.readableBytes == 0, "the reader takes in every byte it is given")
        }
    }

    /// An unmasked frame as a server sends it.
    func wire(_ opcode: WebSocketOpcode, _ payload: [UInt8], fin: Bool = true) -> [UInt8] {
        var buffer = ByteBuffer()
        _ = payload.withUnsafeBytes { buffer.writeWebSocketFrame(fin: fin, opcode: opcode, maskKey: nil, payload: $0) }
        return Array(buffer.readableBytesView)
    }

    /// Feeds the bytes in pieces of these sizes, in turn.
    func feed(_ sink: inout Sink, _ bytes: [UInt8], pieces: [Int]) {
        var start = 0
        var piece = 0
        while start < bytes.count {
            let end = min(start + pieces[piece % pieces.count], bytes.count)
            sink.writeInbound(ByteBuffer(bytes: bytes[start..<end]))
            start = end
            piece += 1
        }
    }

    @Test(
        "frame headers of every length form, read whole or cut anywhere",
        arguments: [0, 1, 125, 126, 65535, 65536, 300_000]
    )
    func headers(length: Int) {
        let bytes = self.wire(.binary, [UInt8](repeating: 1, count: length))
        let size = length < 126 ? 2 : length < 65536 ? 4 : 10
        #expect(FrameHeader(parsing: bytes) == FrameHeader(size: size, payloadLength: UInt64(length)))
        for cut in 0..<size {
            #expect(FrameHeader(parsing: bytes.prefix(cut)) == nil)
        }
        var masked = Array(bytes.prefix(size)) + [9, 9, 9, 9]
        masked[1] |= 0x80
        #expect(FrameHeader(parsing: masked) == FrameHeader(size: size + 4, payloadLength: UInt64(length)))
        #expect(FrameHeader(parsing: masked.dropLast()) == nil)
    }

    @Test(
        "a frame over the limit is dropped and said once; the frames around it, the close after it, are decoded",
        arguments: [[1_000_000], [1], [3, 7], [4096, 1], [65536]]
    )
    func dropsOnlyTheLongFrame(pieces: [Int]) throws {
        var sink = Sink(limit: 1000)
        let big = [UInt8](repeating: 0x62, count: 70_000)
        let bytes =
            self.wire(.text, Array("before".utf8)) + self.wire(.binary, big)
            + self.wire(.text, [UInt8](repeating: 0x61, count: 1000))
            + self.wire(.connectionClose, [0x03, 0xF1])
        self.feed(&sink, bytes, pieces: pieces)
        #expect(sink.tooLong == [70_000])
        #expect(sink.frames.map(\.opcode) == [0x1, 0x1, 0x8])
        #expect(sink.frames.map(\.payload.readableBytes) == [6, 1000, 2])
        #expect(sink.frames.map { Array($0.payload.readableBytesView.prefix(6)) }.first == Array("before".utf8))
    }

    @Test("fragments each within the limit pass (the message's size is the assembler's to check)")
    func fragmentsPass() throws {
        var sink = Sink(limit: 10)
        let bytes = self.wire(.text, Array("0123456789".utf8), fin: false) + self.wire(.continuation, Array("abc".utf8))
        self.feed(&sink, bytes, pieces: [5])
        #expect(sink.tooLong.isEmpty)
        #expect(sink.frames.map(\.payload.readableBytes) == [10, 3])
        #expect(sink.frames.map(\.fin) == [false, true])
    }

    /// Autobahn 6.4.1's message: valid, then a code point above U+10FFFF, then valid.
    static let parts: [[UInt8]] = [
        [0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5], [0xF4, 0x90, 0x80, 0x80],
        [0x65, 0x64, 0x69, 0x74, 0x65, 0x64],
    ]

    @Test("text that turns invalid within a frame is said at the chop that does it, before the frame is whole")
    func invalidWithinAFrame() throws {
        var sink = Sink(limit: 1 << 20)
        let frame = self.wire(.text, Self.parts.flatMap { $0 })
        let headerSize = frame.count - Self.parts.joined().count
        sink.writeInbound(ByteBuffer(bytes: frame[..<(headerSize + 11)]))
        #expect(sink.notUTF8AfterFrames.isEmpty)
        sink.writeInbound(ByteBuffer(bytes: frame[(headerSize + 11)..<(headerSize + 15)]))
        #expect(sink.notUTF8AfterFrames == [0])
        // The rest of the frame is passed over, nothing more is said, and the frames after
        // it are read.
        sink.writeInbound(ByteBuffer(bytes: frame[(headerSize + 15)...] + self.wire(.connectionClose, [0x03, 0xEF])))
        #expect(sink.frames.map(\.opcode) == [0x8] && sink.notUTF8AfterFrames == [0])
    }

    @Test("a masked text message (a client's) turns invalid at its second fragment, with a ping between")
    func invalidAcrossMaskedFragments() throws {
        var sink = Sink(limit: 1 << 20)
        let key: WebSocketMaskingKey = [0x11, 0x22, 0x33, 0x44]
        func masked(_ opcode: WebSocketOpcode, _ payload: [UInt8], fin: Bool) -> ByteBuffer {
            var buffer = ByteBuffer()
            _ = payload.withUnsafeBytes {
                buffer.writeWebSocketFrame(fin: fin, opcode: opcode, maskKey: key, payload: $0)
            }
            return buffer
        }
        sink.writeInbound(masked(.text, Self.parts[0], fin: false))
        sink.writeInbound(masked(.ping, [0xFF, 0xFE], fin: true))
        #expect(sink.frames.count == 2 && sink.notUTF8AfterFrames.isEmpty)
        #expect(sink.frames.map { Array($0.payload.readableBytesView) } == [Self.parts[0], [0xFF, 0xFE]])
        #expect(sink.frames.allSatisfy { $0.masked })
        sink.writeInbound(masked(.continuation, Self.parts[1], fin: false))
        #expect(sink.notUTF8AfterFrames == [2])
    }

    @Test("valid text cut anywhere, binary and compressed messages are not reported")
    func validText() throws {
        let text = Array("κόσμε, héllo, 😀 and plain ASCII".utf8)
        for cut in [1, 2, 3, 5, 7] {
            var sink = Sink(limit: 1 << 20)
            self.feed(
                &sink,
                self.wire(.text, Array(text[..<10]), fin: false) + self.wire(.continuation, Array(text[10...])),
                pieces: [cut]
            )
            self.feed(&sink, self.wire(.binary, Self.parts.flatMap { $0 }), pieces: [cut])
            var compressed = ByteBuffer()
            _ = Self.parts[1].withUnsafeBytes {
                compressed.writeWebSocketFrame(fin: true, rsv1: true, opcode: .text, maskKey: nil, payload: $0)
            }
            sink.writeInbound(compressed)
            #expect(sink.frames.count == 4 && sink.notUTF8AfterFrames.isEmpty)
            #expect(sink.frames.prefix(2).flatMap { Array($0.payload.readableBytesView) } == text)
            #expect(sink.frames[3].rsv1)
        }
    }

    @Test("frames of every length form, masked or not, with every bit, cut at any byte, read back as sent")
    func roundTrip() {
        let key: WebSocketMaskingKey = [0xA1, 0xB2, 0xC3, 0xD4]
        var wire = ByteBuffer()
        var sent: [(first: UInt8, payload: [UInt8])] = []
        for (index, length) in [0, 1, 125, 126, 127, 65535, 65536, 70_001].enumerated() {
            let payload = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ index) }
            let opcode: WebSocketOpcode = index % 2 == 0 ? .binary : .continuation
            let first = (index % 3 == 0 ? 0x80 : 0) | UInt8(index % 8) << 4 | UInt8(webSocketOpcode: opcode)
            let start = wire.writerIndex
            _ = payload.withUnsafeBytes {
                wire.writeWebSocketFrame(fin: true, opcode: opcode, maskKey: index % 2 == 0 ? key : nil, payload: $0)
            }
            wire.setInteger(first, at: start)
            sent.append((first, payload))
        }
        let bytes = Array(wire.readableBytesView)
        for pieces in [[bytes.count], [1], [2, 3], [13], [1000, 1], [65536]] {
            var sink = Sink(limit: 1 << 20)
            self.feed(&sink, bytes, pieces: pieces)
            #expect(sink.frames.count == sent.count, "pieces \(pieces)")
            for (frame, expected) in zip(sink.frames, sent) {
                let first =
                    (frame.fin ? 0x80 : 0) | (frame.rsv1 ? 0x40 : 0) | (frame.rsv2 ? 0x20 : 0) | (frame.rsv3 ? 0x10 : 0)
                    | frame.opcode
                #expect(first == expected.first, "pieces \(pieces)")
                #expect(frame.masked == (expected.first & 0x0F == 0x2), "pieces \(pieces)")
                #expect(Array(frame.payload.readableBytesView) == expected.payload, "pieces \(pieces)")
            }
        }
    }

    @Test("a frame that arrives whole within one read is a slice of that read, not a copy")
    func slices() {
        var sink = Sink(limit: 1 << 20)
        let read = ByteBuffer(bytes: self.wire(.text, Array("one".utf8)) + self.wire(.binary, [1, 2, 3, 4]))
        sink.writeInbound(read)
        let readStart = read.withVeryUnsafeBytes { UInt(bitPattern: $0.baseAddress) }
        let starts = sink.frames.map { $0.payload.withVeryUnsafeBytes { UInt(bitPattern: $0.baseAddress) } }
        // Each payload starts in the read's own storage, after its two-byte header.
        #expect(starts == [readStart + 2, readStart + 2 + 3 + 2])
        #expect(sink.frames.map { Array($0.payload.readableBytesView) } == [Array("one".utf8), [1, 2, 3, 4]])
    }

    @Test("a frame that ends text checked whole says so; one that ends mid-character, binary or compressed does not")
    func endsCheckedText() {
        var sink = Sink(limit: 1 << 20)
        let euro = Array("€".utf8)
        sink.writeInbound(ByteBuffer(bytes: self.wire(.text, Array("ab".utf8) + euro)))
        sink.writeInbound(ByteBuffer(bytes: self.wire(.text, [0x61] + euro.prefix(1), fin: false)))
        sink.writeInbound(ByteBuffer(bytes: self.wire(.continuation, Array(euro.dropFirst()))))
        sink.writeInbound(ByteBuffer(bytes: self.wire(.text, Array(euro.prefix(2)))))
        sink.writeInbound(ByteBuffer(bytes: self.wire(.binary, Array("ab".utf8))))
        var compressed = ByteBuffer()
        _ = Array("x".utf8).withUnsafeBytes {
            compressed.writeWebSocketFrame(fin: true, rsv1: true, opcode: .text, maskKey: nil, payload: $0)
        }
        sink.writeInbound(compressed)
        #expect(sink.frames.map(\.endsCheckedText) == [true, false, true, false, false, false])
    }
}
