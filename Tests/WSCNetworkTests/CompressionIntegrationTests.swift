import CompressNIO
import NIOCore
import NIOHTTP1
import NIOWebSocket
import Testing
import WSCCore

@testable import WSCNetwork

/// permessage-deflate on the wire, against a scripted NIO server on 127.0.0.1:0.
@Suite("permessage-deflate on the wire")
struct CompressionIntegrationTests {
    static let agreed = HTTPHeaders([("Sec-WebSocket-Extensions", "permessage-deflate")])

    /// A message compressed by zlib, then cut into frames: RSV1 on the first one only.
    static func compressedFrames(_ text: String, pieces: Int, allocator: ByteBufferAllocator) throws -> [WebSocketFrame]
    {
        let compressor = try ZlibCompressor(algorithm: .deflate)
        var input = ByteBuffer(string: text)
        var output = allocator.buffer(capacity: compressor.maxSize(from: input))
        try compressor.deflate(from: &input, to: &output, flush: .sync)
        output.moveWriterIndex(to: output.writerIndex - 4)
        let size = (output.readableBytes + pieces - 1) / pieces
        var frames: [WebSocketFrame] = []
        while output.readableBytes > 0 {
            let piece = output.readSlice(length: min(size, output.readableBytes)) ?? ByteBuffer()
            let first = frames.isEmpty
            frames.append(
                WebSocketFrame(
                    fin: output.readableBytes == 0,
                    rsv1: first,
                    opcode: first ? .text : .continuation,
                    data: piece
                )
            )
        }
        return frames
    }

    @Test("offered by default; our messages go compressed with RSV1, and the open event names the agreement")
    func sending() async throws {
        // The server only records what arrives (no echo), and finishes the close handshake.
        let server = try await ScriptedServer.start(
            upgrade: .accept(Self.agreed),
            onFrame: { frame, channel in
                if frame.opcode == .connectionClose {
                    ScriptedServer.replyToClose(frame, on: channel)
                }
            }
        )
        defer { Task { await server.stop() } }
        let harness = try ClientHarness(url: "ws://127.0.0.1:\(server.port)/")
        let opened = await harness.waitForOpen()
        guard case .open(let info) = opened.last else {
            Issue.record("expected open, got \(opened)")
            return
        }
        #expect(info.extensions == ["permessage-deflate"])
        #expect(
            server.requests.withLockedValue { $0.first?.headers["Sec-WebSocket-Extensions"] } == [
                PerMessageDeflate.clientOffer
            ]
        )
        let text = String(repeating: "the same words again and again ", count: 300)
        harness.client.send(.text(text))
        harness.client.send(.text(""))
        harness.client.close()
        _ = await harness.wait { if case .close = $0 { true } else { false } }

        let frames = server.frames.withLockedValue { $0 }.filter { $0.opcode == .text }
        #expect(frames.count == 2)
        let big = try #require(frames.first)
        #expect(big.rsv1 && big.fin)
        #expect(big.unmaskedData.readableBytes < text.utf8.count / 20)
        let decompressor = try ZlibDecompressor(algorithm: .deflate)
        var input = big.unmaskedData
        input.writeBytes([0, 0, 0xFF, 0xFF])
        var output = ByteBufferAllocator().buffer(capacity: text.utf8.count + 64)
        try? decompressor.inflate(from: &input, to: &output)
        #expect(String(buffer: output) == text)
        // An empty message has nothing to compress: it goes as it is.
        #expect(frames.last.map { !$0.rsv1 && $0.data.readableBytes == 0 } == true)
    }

    @Test("a compressed message in fragments, with a ping between them, is reassembled and inflated")
    func receivingFragments() async throws {
        let text = (0..<500).map { "line \($0) of a long log\n" }.joined()
        let server = try await ScriptedServer.start(
            upgrade: .accept(Self.agreed),
            onOpen: { channel in
                guard let frames = try? Self.compressedFrames(text, pieces: 3, allocator: channel.allocator) else {
                    return
                }
                channel.write(frames[0], promise: nil)
                channel.write(
                    WebSocketFrame(fin: true, opcode: .ping, data: channel.allocator.buffer(string: "mid")),
                    promise: nil
                )
                for frame in frames.dropFirst() {
                    channel.write(frame, promise: nil)
                }
                channel.flush()
            }
        )
        defer { Task { await server.stop() } }
        let harness = try ClientHarness(url: "ws://127.0.0.1:\(server.port)/")
        #expect(await harness.waitForMessages(1) == [.text(text)])
        harness.client.close()
        _ = await harness.waitForClose()
    }

    @Test("with --no-compress, RSV1 is a protocol error (1002); a bomb is 1009; garbage is 1007")
    func failures() async throws {
        let plain = try await ScriptedServer.start(onOpen: { channel in
            channel.writeAndFlush(
                WebSocketFrame(fin: true, rsv1: true, opcode: .text, data: channel.allocator.buffer(string: "x")),
                promise: nil
            )
        })
        defer { Task { await plain.stop() } }
        let refused = try ClientHarness(url: "ws://127.0.0.1:\(plain.port)/") { $0.compression = false }
        #expect(plain.requests.withLockedValue { $0.first?.headers["Sec-WebSocket-Extensions"] ?? [] }.isEmpty)
        let events = await refused.waitForClose()
        #expect(events.errors.first?.message.contains("RSV1") == true)
        #expect(Self.closeCode(plain) == 1002)

        let bomb = try await ScriptedServer.start(
            upgrade: .accept(Self.agreed),
            onOpen: { channel in
                let codec = try? PerMessageDeflateCodec(agreement: PerMessageDeflate(), role: .server)
                guard
                    let payload = codec?.compress(
                        channel.allocator.buffer(repeating: 0, count: 4 << 20),
                        allocator: channel.allocator
                    )
                else {
                    return
                }
                channel.writeAndFlush(
                    WebSocketFrame(fin: true, rsv1: true, opcode: .binary, data: payload),
                    promise: nil
                )
            }
        )
        defer { Task { await bomb.stop() } }
        let bombed = try await ClientHarness(url: "ws://127.0.0.1:\(bomb.port)/") { $0.maximumMessageSize = 1 << 20 }
            .waitForClose()
        #expect(bombed.errors.first?.message.contains("inflates beyond the limit") == true)
        #expect(Self.closeCode(bomb) == 1009)

        let garbage = try await ScriptedServer.start(
            upgrade: .accept(Self.agreed),
            onOpen: { channel in
                channel.writeAndFlush(
                    WebSocketFrame(
                        fin: true,
                        rsv1: true,
                        opcode: .text,
                        data: channel.allocator.buffer(bytes: [0xFF, 0xEE, 0xDD])
                    ),
                    promise: nil
                )
            }
        )
        defer { Task { await garbage.stop() } }
        let broken = try await ClientHarness(url: "ws://127.0.0.1:\(garbage.port)/").waitForClose()
        #expect(broken.errors.first?.message.contains("not a valid deflate stream") == true)
        #expect(Self.closeCode(garbage) == 1007)
    }

    static func closeCode(_ server: ScriptedServer) -> UInt16? {
        guard let close = server.frames.withLockedValue({ $0 }).first(where: { $0.opcode == .connectionClose }) else {
            return nil
        }
        var payload = close.unmaskedData
        return payload.readInteger(as: UInt16.self)
    }
}
