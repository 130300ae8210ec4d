import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import WSCCore

@testable import WSCNetwork

/// Runs a ``WebSocketServer`` on 127.0.0.1:0 and collects its events, in order.
final class ServerHarness: Sendable {
    let server: WebSocketServer
    private let stream: AsyncStream<ServerEvent>
    let collected = NIOLockedValueBox<[ServerEvent]>([])

    private init(server: WebSocketServer, stream: AsyncStream<ServerEvent>) {
        self.server = server
        self.stream = stream
    }

    static func start(configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> ServerHarness {
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
        configure(&configuration)
        let (stream, continuation) = AsyncStream.makeStream(of: ServerEvent.self)
        let server = try await WebSocketServer.start(configuration, on: MultiThreadedEventLoopGroup.singleton) {
            event in
            continuation.yield(event)
        }.get()
        return ServerHarness(server: server, stream: stream)
    }

    var url: String { self.server.url }

    /// Waits for events until `predicate` holds for the collection so far; returns it.
    @discardableResult
    func wait(until predicate: ([ServerEvent]) -> Bool) async -> [ServerEvent] {
        if predicate(self.collected.withLockedValue { $0 }) {
            return self.collected.withLockedValue { $0 }
        }
        var iterator = self.stream.makeAsyncIterator()
        while let event = await iterator.next() {
            let all = self.collected.withLockedValue { events in
                events.append(event)
                return events
            }
            if predicate(all) {
                return all
            }
        }
        return self.collected.withLockedValue { $0 }
    }

    /// Waits until this many clients have closed.
    @discardableResult
    func waitForCloses(_ count: Int) async -> [ServerEvent] {
        await self.wait { $0.closes.count >= count }
    }

    func stop() async {
        try? await self.server.close().get()
    }
}

extension [ServerEvent] {
    /// Each client's events, by id.
    var byClient: [Int: [ConnectionEvent]] {
        var result: [Int: [ConnectionEvent]] = [:]
        for case .client(let client, let event) in self {
            result[client.id, default: []].append(event)
        }
        return result
    }

    /// The clients that opened, in order.
    var opened: [(ServerClient, OpenInfo)] {
        self.compactMap { if case .client(let client, .open(let info)) = $0 { (client, info) } else { nil } }
    }

    var closes: [(id: Int, info: CloseInfo)] {
        self.compactMap { if case .client(let client, .close(let info)) = $0 { (client.id, info) } else { nil } }
    }

    var refusals: [String] {
        self.compactMap { if case .refused(_, let reason) = $0 { reason } else { nil } }
    }
}

/// A TCP client that writes bytes as given.
///
/// It is for requests and frames a WebSocket client would never send.
struct RawClient {
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>

    static func connect(port: Int) async throws -> RawClient {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return RawClient(channel: channel)
    }

    /// Writes `bytes`, then reads until `done` holds for everything read or the peer closes.
    ///
    /// Returns what was read.
    func exchange(_ bytes: [UInt8], until done: @escaping ([UInt8]) -> Bool = { _ in false }) async throws -> [UInt8] {
        try await self.channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(bytes: bytes))
            var received: [UInt8] = []
            for try await buffer in inbound {
                received += Array(buffer.readableBytesView)
                if done(received) {
                    break
                }
            }
            return received
        }
    }

    /// An upgrade request for `/`, with extra header lines.
    static func upgradeRequest(port: Int, headers: [String] = []) -> [UInt8] {
        let lines =
            [
                "GET / HTTP/1.1", "Host: 127.0.0.1:\(port)", "Upgrade: websocket", "Connection: Upgrade",
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13",
            ] + headers
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }
}
