import Testing
import WSCCore

@Suite("OutboundQueue")
struct OutboundQueueTests {
    /// A message of so many bytes, or a file (a stream of no bytes in memory).
    struct Item: OutboundItem, Equatable {
        var name: String
        var byteCount: Int
        var isStream = false

        static func message(_ name: String, _ bytes: Int = 10) -> Item { Item(name: name, byteCount: bytes) }
        static func file(_ name: String) -> Item { Item(name: name, byteCount: 0, isStream: true) }
    }

    typealias Queue = OutboundQueue<Item, String>

    @Test("an allowed send goes at once when nothing waits; held sends wait and count against the budget")
    func allowedAndHeld() {
        var queue = Queue()
        #expect(queue.sendAllowed(.message("a")) == .message("a"))
        #expect(!queue.isBusy)
        queue.sendHeld(.message("b", 100))
        queue.sendHeld(.message("c", 50))
        #expect(queue.queuedBytes == 150)
        #expect(queue.isBusy)
        // Order is kept: an allowed send waits behind those held.
        #expect(queue.sendAllowed(.message("d", 5)) == nil)
        #expect(queue.queuedBytes == 155)
        #expect(
            [queue.nextToWrite(), queue.nextToWrite(), queue.nextToWrite(), queue.nextToWrite()] == [
                .message("b", 100), .message("c", 50), .message("d", 5), nil,
            ]
        )
        #expect(queue.queuedBytes == 0)
        #expect(queue.isEmpty && !queue.isBusy)
    }

    @Test("a file streams alone: what comes after it waits until its stream ends")
    func fileStreamsAlone() {
        var queue = Queue()
        #expect(queue.sendAllowed(.file("f")) == .file("f"))
        #expect(queue.isStreaming)
        #expect(queue.sendAllowed(.message("a")) == nil)
        #expect(queue.nextToWrite() == nil)
        queue.streamEnded()
        #expect(queue.nextToWrite() == .message("a"))

        queue.sendHeld(.message("b"))
        queue.sendHeld(.file("g"))
        queue.sendHeld(.message("c"))
        #expect(queue.nextToWrite() == .message("b"))
        #expect(queue.nextToWrite() == .file("g"))
        #expect(queue.nextToWrite() == nil)
        queue.streamEnded()
        #expect(queue.nextToWrite() == .message("c"))
    }

    @Test("removeAll takes out what waits, in order, and empties the budget")
    func removeAll() {
        var queue = Queue()
        queue.sendHeld(.message("a", 7))
        queue.sendHeld(.file("f"))
        queue.sendHeld(.message("b", 9))
        #expect(queue.nextToWrite() == .message("a", 7))
        #expect(queue.removeAll() == [.file("f"), .message("b", 9)])
        #expect(queue.queuedBytes == 0)
        #expect(queue.removeAll().isEmpty)
    }

    @Test("room: the budget before the open, the budget and the socket once open, always once closing")
    func room() {
        var queue = Queue()
        queue.sendHeld(.message("big", Queue.byteLimit - 1))
        #expect(queue.hasRoom(.hold, socketWritable: false))
        #expect(queue.hasRoom(.write, socketWritable: true))
        #expect(!queue.hasRoom(.write, socketWritable: false))
        queue.sendHeld(.message("one more", 1))
        #expect(!queue.hasRoom(.hold, socketWritable: true))
        #expect(!queue.hasRoom(.write, socketWritable: true))
        #expect(queue.hasRoom(.refuse, socketWritable: false))
    }

    @Test("senders wait for room and are let go, all at once, when there is room again")
    func waiters() {
        var queue = Queue()
        #expect(queue.roomRequested(by: "early", .hold, socketWritable: true) == "early")
        queue.sendHeld(.message("big", Queue.byteLimit))
        #expect(queue.roomRequested(by: "w1", .hold, socketWritable: true) == nil)
        #expect(queue.roomRequested(by: "w2", .hold, socketWritable: true) == nil)
        #expect(queue.roomChanged(.hold, socketWritable: true).isEmpty)
        _ = queue.nextToWrite()
        // The queue is empty, but the socket does not take writes.
        #expect(queue.roomChanged(.write, socketWritable: false).isEmpty)
        #expect(queue.roomChanged(.write, socketWritable: true) == ["w1", "w2"])
        #expect(queue.roomChanged(.write, socketWritable: true).isEmpty)
    }

    @Test("once the connection is closing, every waiting sender goes on")
    func waitersReleasedWhenClosing() {
        var queue = Queue()
        #expect(queue.roomRequested(by: "w", .write, socketWritable: false) == nil)
        #expect(queue.roomChanged(.refuse, socketWritable: false) == ["w"])
    }
}
