import CompressNIO
import NIOCore
import Testing
import WSCCore

@testable import WSCNetwork

/// `PerMessageDeflateCodec`: compression both ways, as each agreement says.
@Suite("PerMessageDeflateCodec")
struct PerMessageDeflateCodecTests {
    let allocator = ByteBufferAllocator()

    func text(_ count: Int) -> ByteBuffer {
        ByteBuffer(string: String(repeating: "wsc compresses well. ", count: count))
    }

    @Test("a client's messages inflate at the server, byte for byte, with the context carried over")
    func roundTrip() throws {
        let client = try PerMessageDeflateCodec(agreement: PerMessageDeflate(), role: .client)
        let server = try PerMessageDeflateCodec(agreement: PerMessageDeflate(), role: .server)
        var sizes: [Int] = []
        for round in 0..<5 {
            let message = self.text(50 + round)
            let compressed = try #require(client.compress(message, allocator: self.allocator))
            sizes.append(compressed.readableBytes)
            #expect(try server.decompress(compressed, limit: 1 << 20, allocator: self.allocator) == message)
        }
        #expect(sizes[0] < self.text(50).readableBytes / 10)
        // The second message refers back to the first: it is smaller still.
        #expect(sizes[1] < sizes[0])
        let random = ByteBuffer(bytes: (0..<4096).map { _ in UInt8.random(in: 0...255) })
        let compressed = try #require(server.compress(random, allocator: self.allocator))
        #expect(try client.decompress(compressed, limit: 1 << 20, allocator: self.allocator) == random)
    }

    @Test("no context takeover: every message compresses alone, the same way each time")
    func noContextTakeover() throws {
        let agreement = PerMessageDeflate(serverNoContextTakeover: true, clientNoContextTakeover: true)
        let client = try PerMessageDeflateCodec(agreement: agreement, role: .client)
        let server = try PerMessageDeflateCodec(agreement: agreement, role: .server)
        let first = try #require(client.compress(self.text(40), allocator: self.allocator))
        let second = try #require(client.compress(self.text(40), allocator: self.allocator))
        #expect(first == second)
        #expect(try server.decompress(first, limit: 1 << 20, allocator: self.allocator) == self.text(40))
        #expect(try server.decompress(second, limit: 1 << 20, allocator: self.allocator) == self.text(40))
    }

    @Test("sent as they are: an empty message, and any message when the window must be 8 bits")
    func uncompressed() throws {
        let codec = try PerMessageDeflateCodec(agreement: PerMessageDeflate(), role: .client)
        #expect(codec.compress(ByteBuffer(), allocator: self.allocator) == nil)
        let narrow = try PerMessageDeflateCodec(agreement: PerMessageDeflate(clientMaxWindowBits: 8), role: .client)
        #expect(narrow.compress(self.text(10), allocator: self.allocator) == nil)
        let nine = try PerMessageDeflateCodec(agreement: PerMessageDeflate(clientMaxWindowBits: 9), role: .client)
        #expect(nine.compress(self.text(10), allocator: self.allocator) != nil)
    }

    @Test("an empty compressed message is empty, and the next one still inflates")
    func emptyCompressed() throws {
        let sender = try PerMessageDeflateCodec(agreement: PerMessageDeflate(), role: .server)
        let receiver = try PerMessageDeflateCodec(agreement: PerMessageDeflate(), role: .client)
        #expect(try receiver.decompress(ByteBuffer(), limit: 100, allocator: self.allocator).readableBytes == 0)
        let next = try #require(sender.compress(self.text(3), allocator: self.allocator))
        #expect(try receiver.decompress(next, limit: 1 << 20, allocator: self.allocator) == self.text(3))
    }

    @Test("a payload that inflates past the limit, or is not deflate, is refused")
    func hostile() throws {
        let sender = try PerMessageDeflateCodec(agreement: PerMessageDeflate(), role: .server)
        let bomb = try #require(sender.compress(ByteBuffer(repeating: 0, count: 8 << 20), allocator: self.allocator))
        #expect(bomb.readableBytes < 16 << 10)
        let receiver = try PerMessageDeflateCodec(agreement: PerMessageDeflate(), role: .client)
        #expect(throws: PerMessageDeflateCodec.DecompressionError.tooBig) {
            try receiver.decompress(bomb, limit: 1 << 20, allocator: self.allocator)
        }
        let garbage = try PerMessageDeflateCodec(agreement: PerMessageDeflate(), role: .client)
        #expect(throws: PerMessageDeflateCodec.DecompressionError.corrupt) {
            try garbage.decompress(
                ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0x00]),
                limit: 1 << 20,
                allocator: self.allocator
            )
        }
    }

    @Test("a message ending its deflate stream (BFINAL) inflates, and the next one starts afresh")
    func finalBlock() throws {
        let receiver = try PerMessageDeflateCodec(agreement: PerMessageDeflate(), role: .client)
        for text in ["first, finished", "second, finished too"] {
            let compressor = try ZlibCompressor(algorithm: .deflate)
            var input = ByteBuffer(string: text)
            var output = self.allocator.buffer(capacity: 256)
            try compressor.deflate(from: &input, to: &output, flush: .finish)
            #expect(
                try receiver.decompress(output, limit: 1 << 20, allocator: self.allocator) == ByteBuffer(string: text)
            )
        }
    }
}
