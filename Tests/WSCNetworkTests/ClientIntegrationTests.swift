import NIOCore
import NIOHTTP1
import NIOWebSocket
import Testing
import WSCCore

@testable import WSCNetwork

/// The client against a real NIO server on 127.0.0.1:0.
@Suite("Client against a NIO server", .timeLimit(.minutes(1)))
struct ClientIntegrationTests {
    @Test("a clean close that we start: 1000, wasClean, exactly one close")
    func normalClose() async throws {
        let server = try await ScriptedServer.start()
        defer { Task { await server.stop() } }
        let harness = try ClientHarness(url: "ws://127.0.0.1:\(server.port)/chat?x=1")
        let opened = await harness.waitForOpen()
        #expect(
            opened.last
                == .open(OpenInfo(url: "ws://127.0.0.1:\(server.port)/chat?x=1", subprotocol: nil, extensions: []))
        )
        harness.client.send(.text("hello"))
        #expect(await harness.waitForMessages(1) == [.text("hello")])
        harness.client.close()
        let events = await harness.waitForClose()
        #expect(events.closeInfo == CloseInfo(code: .normalClosure, reason: "", wasClean: true, initiator: .user))
        #expect(events.closeCount == 1)
        let request = try #require(server.requests.withLockedValue { $0.first })
        #expect(request.uri == "/chat?x=1")
        #expect(request.headers["Host"] == ["127.0.0.1:\(server.port)"])
    }

    @Test("for --reconnect: messages a failed connection never wrote come back as an unsent event, in order")
    func givesBackUnsent() async throws {
        // A port that was just free: nothing listens, the connect is refused.
        let probe = try await ScriptedServer.start()
        let port = probe.port
        await probe.stop()
        let harness = try ClientHarness(url: "ws://127.0.0.1:\(port)/") { $0.givesBackUnsent = true }
        harness.client.send(.text("first"))
        harness.client.send(contentsOf: [.text("second"), .binary([1, 2])])
        _ = await harness.waitForClose()
        // The unsent events come after close: wait for them on the open stream. A refused
        // connect can fail between the two sends (nothing is resolved for 127.0.0.1): the
        // later ones then come back in an event of their own, still in order.
        var unsent: [Message] = []
        _ = await harness.wait { event in
            if case .unsent(let messages) = event {
                unsent += messages
            }
            return unsent.count >= 3
        }
        #expect(unsent == [.text("first"), .text("second"), .binary([1, 2])])
        harness.client.send(.text("too late"))
        let late = await harness.wait { event in
            if case .unsent([.text("too late")]) = event { true } else { false }
        }
        #expect(late.last == .unsent([.text("too late")]))
    }

    @Test("an IPv6 literal: bracketed in the Host header, connected over ::1")
    func ipv6() async throws {
        let server = try await ScriptedServer.start(host: "::1")
        defer { Task { await server.stop() } }
        let harness = try ClientHarness(url: "ws://[::1]:\(server.port)/six?x")
        let opened = await harness.waitForOpen()
        #expect(
            opened.last == .open(OpenInfo(url: "ws://[::1]:\(server.port)/six?x", subprotocol: nil, extensions: []))
        )
        harness.client.close()
        #expect(await harness.waitForClose().closeInfo?.wasClean == true)
        let request = try #require(server.requests.withLockedValue { $0.first })
        #expect(request.headers["Host"] == ["[::1]:\(server.port)"])
        #expect(request.uri == "/six?x")
    }

    @Test("the server closes with a code and reason")
    func serverClose() async throws {
        let server = try await ScriptedServer.start(
            onOpen: { channel in
                channel.writeAndFlush(
                    ScriptedServer.closeFrame(4001, "bye", allocator: channel.allocator),
                    promise: nil
                )
            },
            onFrame: { frame, channel in
                if frame.opcode == .connectionClose {
                    channel.close(promise: nil)
                }
            }
        )
        defer { Task { await server.stop() } }
        let harness = try ClientHarness(url: "ws://127.0.0.1:\(server.port)/")
        let events = await harness.waitForClose()
        #expect(events.closeInfo == CloseInfo(code: CloseCode(4001), reason: "bye", wasClean: true, initiator: .peer))
        let replies = server.frames.withLockedValue { $0 }.filter { $0.opcode == .connectionClose }
        #expect(replies.count == 1)
        var payload = try #require(replies.first).unmaskedData
        #expect(payload.readInteger(as: UInt16.self) == 4001)
    }

    @Test("the TCP connection drops without a close: 1006, wasClean false")
    func abruptDrop() async throws {
        let server = try await ScriptedServer.start(onFrame: { _, channel in channel.close(promise: nil) })
        defer { Task { await server.stop() } }
        let harness = try ClientHarness(url: "ws://127.0.0.1:\(server.port)/")
        await harness.waitForOpen()
        harness.client.send(.text("drop me"))
        let events = await harness.waitForClose()
        #expect(events.closeInfo == .abnormal(initiator: .transport))
    }

    @Test("pings are answered with the same payload; our pings get an RTT")
    func pingPong() async throws {
        let server = try await ScriptedServer.start(onOpen: { channel in
            channel.writeAndFlush(
                WebSocketFrame(fin: true, opcode: .ping, data: channel.allocator.buffer(string: "are you there")),
                promise: nil
            )
        })
        defer { Task { await server.stop() } }
        let harness = try ClientHarness(url: "ws://127.0.0.1:\(server.port)/")
        await harness.wait { if case .ping = $0 { true } else { false } }
        harness.client.ping(Array("p1".utf8))
        let events = await harness.wait { if case .pong = $0 { true } else { false } }
        guard case .pong(let payload, let roundTrip) = events.last else {
            Issue.record("expected a pong")
            return
        }
        #expect(payload == Array("p1".utf8))
        #expect(roundTrip != nil)
        let pongs = server.frames.withLockedValue { $0 }.filter { $0.opcode == .pong }
        #expect(pongs.map { String(buffer: $0.unmaskedData) } == ["are you there"])
        harness.client.close()
        _ = await harness.waitForClose()
    }

    @Test("fragmented messages are reassembled, with control frames between fragments")
    func fragments() async throws {
        let server = try await ScriptedServer.start(onOpen: { channel in
            let a = channel.allocator
            channel.write(WebSocketFrame(fin: false, opcode: .text, data: a.buffer(string: "Hel")), promise: nil)
            channel.write(WebSocketFrame(fin: true, opcode: .ping, data: a.buffer(string: "mid")), promise: nil)
            channel.write(
                WebSocketFrame(fin: false, opcode: .continuation, data: a.buffer(string: "lo, wör")),
                promise: nil
            )
            channel.write(WebSocketFrame(fin: true, opcode: .continuation, data: a.buffer(string: "ld")), promise: nil)
            channel.write(WebSocketFrame(fin: false, opcode: .binary, data: a.buffer(bytes: [0, 1])), promise: nil)
            channel.writeAndFlush(
                WebSocketFrame(fin: true, opcode: .continuation, data: a.buffer(bytes: [2, 255])),
                promise: nil
            )
        })
        defer { Task { await server.stop() } }
        let harness = try ClientHarness(url: "ws://127.0.0.1:\(server.port)/")
        #expect(await harness.waitForMessages(2) == [.text("Hello, wörld"), .binary([0, 1, 2, 255])])
        harness.client.close()
        _ = await harness.waitForClose()
    }

    @Test("invalid UTF-8 in a text message: close 1007")
    func invalidUTF8() async throws {
        let server = try await ScriptedServer.start(onOpen: { channel in
            channel.writeAndFlush(
                WebSocketFrame(fin: true, opcode: .text, data: channel.allocator.buffer(bytes: [0x68, 0xC3, 0x28])),
                promise: nil
            )
        })
        defer { Task { await server.stop() } }
        let events = try await ClientHarness(url: "ws://127.0.0.1:\(server.port)/").waitForClose()
        #expect(events.errors.first?.kind == .protocolViolation)
        let close = try #require(server.frames.withLockedValue { $0 }.first { $0.opcode == .connectionClose })
        var payload = close.unmaskedData
        #expect(payload.readInteger(as: UInt16.self) == 1007)
        #expect(events.closeInfo?.code == .invalidPayloadData)
        #expect(events.closeInfo.map(ExitStatus.init(closedWith:)) == .closedAbnormally)
        #expect(!events.contains { if case .message = $0 { true } else { false } })
    }

    @Test("a message over the size limit: close 1009")
    func tooBig() async throws {
        let server = try await ScriptedServer.start(onOpen: { channel in
            channel.write(
                WebSocketFrame(fin: false, opcode: .binary, data: channel.allocator.buffer(repeating: 1, count: 600)),
                promise: nil
            )
            channel.writeAndFlush(
                WebSocketFrame(
                    fin: true,
                    opcode: .continuation,
                    data: channel.allocator.buffer(repeating: 1, count: 600)
                ),
                promise: nil
            )
        })
        defer { Task { await server.stop() } }
        let events = try await ClientHarness(url: "ws://127.0.0.1:\(server.port)/") { $0.maximumMessageSize = 1000 }
            .waitForClose()
        let close = try #require(server.frames.withLockedValue { $0 }.first { $0.opcode == .connectionClose })
        var payload = close.unmaskedData
        #expect(payload.readInteger(as: UInt16.self) == 1009)
        #expect(events.errors.first?.message.contains("limit") == true)
    }

    @Test("a reserved opcode is a protocol error: close 1002")
    func reservedOpcode() async throws {
        let server = try await ScriptedServer.start(onOpen: { channel in
            let frame = WebSocketFrame(
                fin: true,
                opcode: WebSocketOpcode(encodedWebSocketOpcode: 3) ?? .text,
                data: channel.allocator.buffer(string: "x")
            )
            channel.writeAndFlush(frame, promise: nil)
        })
        defer { Task { await server.stop() } }
        _ = try await ClientHarness(url: "ws://127.0.0.1:\(server.port)/").waitForClose()
        let close = try #require(server.frames.withLockedValue { $0 }.first { $0.opcode == .connectionClose })
        var payload = close.unmaskedData
        #expect(payload.readInteger(as: UInt16.self) == 1002)
    }

    @Test(
        "every client frame is masked with a fresh key from the system CSPRNG: uniform bytes, no repeats across connections"
    )
    func masking() async throws {
        // NIO's WebSocketMaskingKey.random() draws from SystemRandomNumberGenerator
        // (getrandom(2) on Linux). A seeded or weak generator shows here as repeated keys,
        // the same keys on two connections, or lopsided byte counts.
        var sequences: [[[UInt8]]] = []
        for _ in 0..<2 {
            let server = try await ScriptedServer.start()
            defer { Task { await server.stop() } }
            let harness = try ClientHarness(url: "ws://127.0.0.1:\(server.port)/")
            await harness.waitForOpen()
            for index in 0..<2000 {
                harness.client.send(.text("m\(index)"))
            }
            _ = await harness.waitForMessages(2000)
            harness.client.close()
            _ = await harness.waitForClose()
            let keys = server.frames.withLockedValue { $0 }.map(\.maskKey)
            #expect(keys.count == 2001)
            #expect(keys.allSatisfy { $0 != nil })
            sequences.append(keys.compactMap { $0.map { Array($0) } })
        }
        let all = sequences.flatMap { $0 }
        // 4002 random 32-bit keys: a repeat has a chance of about 1 in 500; two would be 1 in 10^6.
        #expect(Set(all).count >= all.count - 1)
        #expect(sequences[0].prefix(10) != sequences[1].prefix(10))
        // Chi-square of the 16,008 key bytes over 256 values (255 degrees of freedom:
        // mean 255, deviation 22.6); 420 is beyond 7 deviations.
        var counts = [Int](repeating: 0, count: 256)
        for byte in all.joined() {
            counts[Int(byte)] += 1
        }
        let expected = Double(all.count * 4) / 256
        let chiSquare = counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        #expect(chiSquare < 420, "chi-square \(chiSquare)")
    }

    @Test("messages sent before the connection opens are kept, in order")
    func queuedBeforeOpen() async throws {
        let server = try await ScriptedServer.start()
        defer { Task { await server.stop() } }
        let harness = try ClientHarness(url: "ws://127.0.0.1:\(server.port)/")
        for index in 0..<200 {
            harness.client.send(.text("early \(index)"))
        }
        let messages = await harness.waitForMessages(200)
        #expect(messages == (0..<200).map { .text("early \($0)") })
        harness.client.close()
        _ = await harness.waitForClose()
    }

    @Test("a server that never answers our close: the close timeout ends it, and says so")
    func closeTimeout() async throws {
        let server = try await ScriptedServer.start(onFrame: { _, _ in })
        defer { Task { await server.stop() } }
        let harness = try ClientHarness(url: "ws://127.0.0.1:\(server.port)/") { $0.closeTimeout = .milliseconds(300) }
        await harness.waitForOpen()
        harness.client.close()
        let events = await harness.waitForClose()
        #expect(events.closeInfo == .abnormal(initiator: .user))
        let error = try #require(events.errors.first)
        #expect(error.kind == .timeout)
        #expect(error.message == "no answer to our close within 0.3 s (--close-timeout): dropping the connection")
    }

    @Test("a file is streamed as one binary message in fragments")
    func fileStreaming() async throws {
        let server = try await ScriptedServer.start(
            maxFrameSize: 1 << 20,
            onFrame: { frame, channel in
                if frame.opcode == .connectionClose {
                    ScriptedServer.replyToClose(frame, on: channel)
                }
            }
        )
        defer { Task { await server.stop() } }
        let path = "/tmp/wsc-test-\(UInt32.random(in: 0...UInt32.max)).bin"
        var bytes = [UInt8](repeating: 0, count: 1_000_003)
        for index in bytes.indices {
            bytes[index] = UInt8(truncatingIfNeeded: index &* 31 &+ index >> 8)
        }
        try writeFile(path, bytes)
        defer { removeFile(path) }
        let harness = try ClientHarness(url: "ws://127.0.0.1:\(server.port)/")
        await harness.waitForOpen()
        harness.client.send(try OutgoingFile(path: path, displayName: "data.bin", kind: .binary))
        harness.client.send(.text("after"))
        let progress = await harness.wait { if case .progress(let p) = $0 { p.isComplete } else { false } }
        harness.client.close()
        _ = await harness.waitForClose()
        #expect(
            progress.contains {
                if case .progress(let p) = $0 { p.isComplete && p.sentBytes == 1_000_003 } else { false }
            }
        )
        let frames = server.frames.withLockedValue { $0 }.filter { $0.opcode != .connectionClose }
        #expect(frames.count > 2)
        #expect(frames.first?.opcode == .binary && frames.first?.fin == false)
        let fileFrames = frames.prefix { $0.opcode != .text }
        #expect(fileFrames.last?.fin == true)
        let received = fileFrames.flatMap { Array($0.unmaskedData.readableBytesView) }
        #expect(received == bytes)
        #expect(frames.last.map { String(buffer: $0.unmaskedData) } == "after")
    }

    @Test("a file whose connection drops midway stops with an error, and the close says the drop")
    func fileStreamingCutOff() async throws {
        let server = try await ScriptedServer.start(
            maxFrameSize: 1 << 20,
            onFrame: { frame, channel in
                if frame.opcode == .binary {
                    channel.close(promise: nil)
                }
            }
        )
        defer { Task { await server.stop() } }
        // Far more than loopback's socket buffers hold, so the drop comes long before the end.
        let path = "/tmp/wsc-test-\(UInt32.random(in: 0...UInt32.max)).bin"
        try writeFile(path, [UInt8](repeating: 7, count: 256 * FileTransfer.chunkSize))
        defer { removeFile(path) }
        let harness = try ClientHarness(url: "ws://127.0.0.1:\(server.port)/")
        await harness.waitForOpen()
        harness.client.send(try OutgoingFile(path: path, displayName: "data.bin", kind: .binary))
        let events = await harness.waitForClose()
        // The drop may also be reported as a reset; the stream's own error must come before the close.
        #expect(events.errors.map(\.message).contains("sending 'data.bin' stopped: the connection is no longer open"))
        #expect(events.closeInfo == .abnormal(initiator: .transport))
        #expect(!events.contains { if case .progress(let p) = $0 { p.isComplete } else { false } })
    }
}
