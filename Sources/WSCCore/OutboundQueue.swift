/// Something that waits in an ``OutboundQueue``: a data message, or a file to stream.
public protocol OutboundItem {
    /// The payload bytes it holds in memory (none for a file, which is read as it goes).
    var byteCount: Int { get }
    /// Whether writing it is a stream that others must wait behind (a file).
    var isStream: Bool { get }
}

/// The sends waiting to be written, their byte budget, and the senders waiting for room.
///
/// A pure value: the connection handler tells it what happened (a send was allowed or
/// held, a stream ended, the socket's writability changed) and writes what it hands back.
/// Sends keep their order: one that is allowed while others wait, or while a file
/// streams, waits behind them.
///
/// Senders that wait for room between batches keep memory bounded whatever the input
/// size: room is there while fewer than ``byteLimit`` bytes wait and, once the connection
/// is open, the socket takes writes.
public struct OutboundQueue<Item: OutboundItem, Waiter> {
    /// How many payload bytes may wait before senders are held back.
    public static var byteLimit: Int { 1 << 20 }

    private var items: [Item?] = []
    /// The index in `items` of the first that still waits.
    private var head = 0
    /// The payload bytes waiting.
    public private(set) var queuedBytes = 0
    /// Whether a stream is being written (everything else waits).
    public private(set) var isStreaming = false
    private var waiters: [Waiter] = []

    public init() {}

    /// Whether anything is being sent or waits to be.
    public var isBusy: Bool { self.isStreaming || self.head < self.items.count }

    /// Whether nothing waits (a stream may still be written).
    public var isEmpty: Bool { self.head == self.items.count }

    /// The connection may write this now: it is handed back to be written, or it waits
    /// behind a stream or earlier sends (nil).
    public mutating func sendAllowed(_ item: consuming Item) -> Item? {
        guard !self.isBusy else {
            self.sendHeld(item)
            return nil
        }
        if item.isStream {
            self.isStreaming = true
        }
        return item
    }

    /// The connection is not open yet: this waits for it.
    public mutating func sendHeld(_ item: consuming Item) {
        self.queuedBytes += item.byteCount
        self.items.append(item)
    }

    /// The next send to write, now that the connection is open, or nil when none waits
    /// or a stream is being written.
    public mutating func nextToWrite() -> Item? {
        guard !self.isStreaming, self.head < self.items.count, let item = self.items[self.head].take() else {
            return nil
        }
        self.head += 1
        if self.head == self.items.count {
            self.items.removeAll(keepingCapacity: self.items.count <= 1024)
            self.head = 0
        }
        self.queuedBytes -= item.byteCount
        if item.isStream {
            self.isStreaming = true
        }
        return item
    }

    /// The stream being written ended (or stopped): what waits behind it may go.
    public mutating func streamEnded() {
        self.isStreaming = false
    }

    /// Everything that waits, taken out: the connection is over.
    public mutating func removeAll() -> [Item] {
        var removed: [Item] = []
        removed.reserveCapacity(self.items.count - self.head)
        for index in self.head..<self.items.count {
            if let item = self.items[index].take() {
                removed.append(item)
            }
        }
        self.items.removeAll()
        self.head = 0
        self.queuedBytes = 0
        return removed
    }

    /// Whether a sender may go on, given what sends meet now and whether the socket
    /// takes writes.
    public func hasRoom(_ gate: SendGate, socketWritable: Bool) -> Bool {
        switch gate {
        case .hold: self.queuedBytes < Self.byteLimit
        case .write: self.queuedBytes < Self.byteLimit && socketWritable
        case .refuse: true
        }
    }

    /// A sender wants room: it is handed back to go on now, or waits (nil).
    public mutating func roomRequested(by waiter: Waiter, _ gate: SendGate, socketWritable: Bool) -> Waiter? {
        guard self.hasRoom(gate, socketWritable: socketWritable) else {
            self.waiters.append(waiter)
            return nil
        }
        return waiter
    }

    /// Something that changes the room happened (a write, writability, the state): the
    /// senders that may go on now.
    public mutating func roomChanged(_ gate: SendGate, socketWritable: Bool) -> [Waiter] {
        guard self.hasRoom(gate, socketWritable: socketWritable), !self.waiters.isEmpty else {
            return []
        }
        var released: [Waiter] = []
        swap(&released, &self.waiters)
        return released
    }
}
