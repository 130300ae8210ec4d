import NIOConcurrencyHelpers
import NIOCore
import WSCCore

/// One WebSocket connection: send on it, ask its status, close it.
///
/// It is ours as a client (``connect(_:on:events:)``) or a client of ``WebSocketServer``.
///
/// Every method may be called from any thread; work hops to the connection's event loop
/// in call order. Events arrive on that event loop through the `events` closure given
/// where it was made, and the last one is always `.close`.
public final class WebSocketConnection: Sendable {
    let eventLoop: EventLoop
    let box: NIOLoopBoundBox<WebSocketConnectionHandler?>

    init(eventLoop: EventLoop) {
        self.eventLoop = eventLoop
        self.box = .makeEmptyBox(valueType: WebSocketConnectionHandler.self, eventLoop: eventLoop)
    }

    /// Sends a text or binary message.
    public func send(_ message: Message) {
        self.withHandler { $0.send(message) }
    }

    /// Sends messages in order, with one hop to the event loop and one flush.
    public func send(contentsOf messages: [Message]) {
        self.withHandler { $0.send(contentsOf: messages) }
    }

    /// Sends binary messages in order, with one hop to the event loop and one flush, each
    /// payload a buffer of its own.
    ///
    /// Buffers handed over here and held nowhere else go to the socket without a copy (a
    /// client masks them in place): the way for bulk data.
    public func send(binary payloads: consuming [ByteBuffer]) {
        // Handed over through a box, so that the closure keeps no second reference.
        let handover = NIOLockedValueBox(consume payloads)
        self.withHandler { handler in
            handler.send(
                binary: handover.withLockedValue { payloads in
                    var taken: [ByteBuffer] = []
                    swap(&taken, &payloads)
                    return taken
                }
            )
        }
    }

    /// Sends a file as one binary message, streamed in fragments.
    public func send(_ file: OutgoingFile) {
        self.withHandler { $0.send(file) }
    }

    /// Sends a ping with this payload (at most 125 bytes).
    public func ping(_ payload: [UInt8]) {
        self.withHandler { $0.sendControl(.ping, payload: payload) }
    }

    /// Sends an unsolicited pong with this payload (at most 125 bytes).
    public func pong(_ payload: [UInt8]) {
        self.withHandler { $0.sendControl(.pong, payload: payload) }
    }

    /// Starts the close handshake (or abandons a connection still opening).
    public func close(code: CloseCode? = .normalClosure, reason: String = "") {
        self.withHandler { $0.close(code: code, reason: reason) }
    }

    /// Completes once there is room to send more.
    ///
    /// See the handler's queue limit and the socket's writability. Await it between batches to keep
    /// memory bounded.
    public func whenReady() -> EventLoopFuture<Void> {
        let promise = self.eventLoop.makePromise(of: Void.self)
        self.withHandler { $0.whenReady(promise) }
        return promise.futureResult
    }

    /// Completes once everything handed over so far was written to the socket, or the
    /// connection is over.
    ///
    /// `-w` starts its wait from here: from the last byte written, not handed over.
    public func whenWritten() -> EventLoopFuture<Void> {
        let promise = self.eventLoop.makePromise(of: Void.self)
        self.withHandler { $0.whenWritten(promise) }
        return promise.futureResult
    }

    /// Reports that this many received messages were handled (printed, written).
    ///
    /// When more than a few thousand messages are unhandled the socket is no longer
    /// read, so a slow consumer slows the peer down instead of filling memory.
    public func acknowledge(_ count: Int) {
        self.withHandler { $0.acknowledge(count) }
    }

    /// The connection's state and counters, for `/status`.
    public func status() -> EventLoopFuture<ConnectionStatus> {
        let box = self.box
        return self.eventLoop.submit {
            guard let handler = box.value else {
                preconditionFailure("the handler is created before any command runs")
            }
            return handler.status()
        }
    }

    private func withHandler(_ body: @escaping @Sendable (WebSocketConnectionHandler) -> Void) {
        let box = self.box
        self.eventLoop.execute {
            guard let handler = box.value else {
                preconditionFailure("the handler is created before any command runs")
            }
            body(handler)
        }
    }
}
