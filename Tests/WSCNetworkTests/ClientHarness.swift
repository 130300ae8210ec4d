import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import WSCCore

@testable import WSCNetwork

/// Runs a client and collects its events, in order.
final class ClientHarness: Sendable {
    let client: WebSocketConnection
    private let stream: AsyncStream<ConnectionEvent>
    let collected = NIOLockedValueBox<[ConnectionEvent]>([])

    init(_ configuration: ClientConfiguration) {
        let (stream, continuation) = AsyncStream.makeStream(of: ConnectionEvent.self)
        self.stream = stream
        // A connection that gives back unsent messages may report them after its close.
        let endsAtClose = !configuration.givesBackUnsent
        self.client = WebSocketConnection.connect(configuration, on: MultiThreadedEventLoopGroup.singleton) { event in
            continuation.yield(event)
            if endsAtClose, case .close = event {
                continuation.finish()
            }
        }
    }

    convenience init(url: String, configure: (inout ClientConfiguration) -> Void = { _ in }) throws {
        var configuration = ClientConfiguration(url: try WebSocketURL(parsing: url))
        configure(&configuration)
        self.init(configuration)
    }

    /// Waits for events until `predicate` holds for one; returns everything so far.
    ///
    /// Messages taken are acknowledged, as the session does once it printed them: the
    /// connection stops reading while too many wait.
    @discardableResult
    func wait(until predicate: (ConnectionEvent) -> Bool) async -> [ConnectionEvent] {
        var iterator = self.stream.makeAsyncIterator()
        while let event = await iterator.next() {
            self.collected.withLockedValue { $0.append(event) }
            if case .message = event {
                self.client.acknowledge(1)
            }
            if predicate(event) {
                break
            }
        }
        return self.collected.withLockedValue { $0 }
    }

    /// Waits for the `open` event.
    @discardableResult
    func waitForOpen() async -> [ConnectionEvent] {
        await self.wait { event in
            switch event {
            case .open, .close: true
            default: false
            }
        }
    }

    /// Waits for the `close` event and returns every event.
    func waitForClose() async -> [ConnectionEvent] {
        await self.wait { if case .close = $0 { true } else { false } }
    }

    /// Waits for `count` messages.
    func waitForMessages(_ count: Int) async -> [Message] {
        var messages: [Message] = []
        await self.wait { event in
            if case .message(let message) = event {
                messages.append(message)
            }
            if case .close = event {
                return true
            }
            return messages.count == count
        }
        return messages
    }
}

extension [ConnectionEvent] {
    var closeInfo: CloseInfo? {
        for case .close(let info) in self {
            return info
        }
        return nil
    }

    var errors: [ConnectionError] {
        self.compactMap { if case .error(let error) = $0 { error } else { nil } }
    }

    var closeCount: Int {
        self.filter { if case .close = $0 { true } else { false } }.count
    }
}
