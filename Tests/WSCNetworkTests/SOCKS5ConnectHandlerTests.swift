import NIOCore
import NIOEmbedded
import Testing
import WSCCore

@testable import WSCNetwork

/// `SOCKS5ConnectHandler` on an `EmbeddedChannel`: the handshake's bytes, then out of the way.
@Suite("SOCKS5ConnectHandler on EmbeddedChannel")
struct SOCKS5ConnectHandlerTests {
    @Test("greeting once connected, the request, then the tunnel: handler gone, later bytes passed on")
    func establishes() throws {
        let channel = EmbeddedChannel()
        let proxy = try ProxySettings(parsing: "socks5h://127.0.0.1:1080")
        let established = channel.eventLoop.makePromise(of: Void.self)
        let handler = SOCKS5ConnectHandler(
            proxy: proxy,
            destination: channel.eventLoop.makeSucceededFuture(.domain("a.test")),
            port: 80,
            promise: established
        )
        try channel.pipeline.syncOperations.addHandler(handler)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1080)).wait()
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(bytes: [5, 1, 0]))

        try channel.writeInbound(ByteBuffer(bytes: [5, 0]))
        #expect(
            try channel.readOutbound(as: ByteBuffer.self)
                == ByteBuffer(bytes: [5, 1, 0, 3, 6] + Array("a.test".utf8) + [0, 80])
        )
        var succeeded = false
        established.futureResult.whenSuccess { succeeded = true }
        try channel.writeInbound(ByteBuffer(bytes: [5, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x81]))
        #expect(succeeded)
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(bytes: [0x81]))
        try channel.writeInbound(ByteBuffer(bytes: [0x82]))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(bytes: [0x82]))
        #expect(throws: ChannelPipelineError.self) {
            try channel.pipeline.syncOperations.context(handlerType: SOCKS5ConnectHandler.self)
        }
        _ = try channel.finish()
    }

    @Test("a refusal fails the promise with the reason and closes the connection")
    func refuses() throws {
        let channel = EmbeddedChannel()
        let proxy = try ProxySettings(parsing: "socks5://127.0.0.1:1080")
        let established = channel.eventLoop.makePromise(of: Void.self)
        try channel.pipeline.syncOperations.addHandler(
            SOCKS5ConnectHandler(
                proxy: proxy,
                destination: channel.eventLoop.makeSucceededFuture(.ipv4([10, 0, 0, 1])),
                port: 443,
                promise: established
            )
        )
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1080)).wait()
        var failure: Error?
        established.futureResult.whenFailure { failure = $0 }
        try channel.writeInbound(ByteBuffer(bytes: [5, 0]))
        try channel.writeInbound(ByteBuffer(bytes: [5, 4, 0, 1, 0, 0, 0, 0, 0, 0]))
        let error = try #require(failure as? ConnectionError)
        #expect(
            error.message == "the proxy socks5://127.0.0.1:1080 did not open a tunnel: it answered: host unreachable"
        )
        #expect(!channel.isActive)
    }

    @Test("a destination that cannot be resolved fails before the greeting")
    func unresolved() throws {
        let channel = EmbeddedChannel()
        let proxy = try ProxySettings(parsing: "socks5://127.0.0.1:1080")
        let established = channel.eventLoop.makePromise(of: Void.self)
        let lookUp = channel.eventLoop.makePromise(of: SOCKS5Negotiation.Destination.self)
        try channel.pipeline.syncOperations.addHandler(
            SOCKS5ConnectHandler(proxy: proxy, destination: lookUp.futureResult, port: 443, promise: established)
        )
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1080)).wait()
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        var failure: Error?
        established.futureResult.whenFailure { failure = $0 }
        lookUp.fail(ConnectionError(.connect, "could not resolve nowhere.test"))
        #expect((failure as? ConnectionError)?.message == "could not resolve nowhere.test")
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
    }
}
