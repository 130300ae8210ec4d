/// What `/status` shows about a connection.
public struct ConnectionStatus: Hashable, Sendable {
    public var readyState: ReadyState
    public var url: String
    public var subprotocol: String?
    public var extensions: [String]
    /// Bytes queued but not yet written to the socket (the browser's `bufferedAmount`).
    public var bufferedAmount: Int
    public var statistics: ConnectionStatistics
    /// Time since the connection opened; nil while it has not.
    public var uptime: Duration?
    /// The round-trip time of the last ping answered.
    public var lastRoundTrip: Duration?
    /// When a frame was last read or written.
    public var lastTraffic: ContinuousClock.Instant
    /// Whether messages are still waiting to be written (queued, or a file being streamed).
    public var isSending: Bool
    /// Whether reading is paused because received messages wait for the consumer.
    public var isHoldingBack: Bool

    public init(
        readyState: ReadyState,
        url: String,
        subprotocol: String?,
        extensions: [String],
        bufferedAmount: Int,
        statistics: ConnectionStatistics,
        uptime: Duration?,
        lastRoundTrip: Duration?,
        lastTraffic: ContinuousClock.Instant,
        isSending: Bool,
        isHoldingBack: Bool
    ) {
        self.readyState = readyState
        self.url = url
        self.subprotocol = subprotocol
        self.extensions = extensions
        self.bufferedAmount = bufferedAmount
        self.statistics = statistics
        self.uptime = uptime
        self.lastRoundTrip = lastRoundTrip
        self.lastTraffic = lastTraffic
        self.isSending = isSending
        self.isHoldingBack = isHoldingBack
    }

    /// The lines `/status` prints.
    public var lines: [String] {
        let stats = self.statistics
        return [
            "state: \(self.readyState.name) (\(self.readyState.rawValue))",
            "url: \(self.url)",
            "subprotocol: \(self.subprotocol ?? "none")",
            "extensions: \(self.extensions.isEmpty ? "none" : self.extensions.joined(separator: ", "))",
            "bufferedAmount: \(self.bufferedAmount)",
            "sent: \(stats.messagesSent) messages, \(stats.bytesSent) bytes",
            "received: \(stats.messagesReceived) messages, \(stats.bytesReceived) bytes",
            "uptime: \(self.uptime.map(Self.uptimeText) ?? "not open")",
        ] + (self.lastRoundTrip.map { ["last ping rtt: \(EventFormatter.milliseconds($0))"] } ?? [])
    }

    /// One line for `/clients`: `#2  127.0.0.1:5000  /chat  open, up 3.201s, 4 in / 2 out, subprotocol: v1`.
    public func clientLine(id: Int, remoteAddress: String) -> String {
        let stats = self.statistics
        var parts = ["\(self.readyState.name.lowercased())"]
        if let uptime = self.uptime {
            parts.append("up \(Self.uptimeText(uptime))")
        }
        parts.append("\(stats.messagesReceived) in / \(stats.messagesSent) out")
        if let subprotocol = self.subprotocol {
            parts.append("subprotocol: \(subprotocol)")
        }
        return "#\(id)  \(remoteAddress)  \(EventFormatter.escaped(self.url))  " + parts.joined(separator: ", ")
    }

    static func uptimeText(_ duration: Duration) -> String {
        let total = duration.components.seconds
        let (hours, minutes, seconds) = (total / 3600, total / 60 % 60, total % 60)
        let milliseconds = duration.components.attoseconds / 1_000_000_000_000_000
        let fraction =
            milliseconds < 10 ? "00\(milliseconds)" : milliseconds < 100 ? "0\(milliseconds)" : "\(milliseconds)"
        if hours > 0 {
            return "\(hours)h \(minutes)m \(seconds)s"
        }
        return minutes > 0 ? "\(minutes)m \(seconds)s" : "\(seconds).\(fraction)s"
    }
}

/// Message and byte counts in each direction (payload bytes).
public struct ConnectionStatistics: Hashable, Sendable {
    public var messagesSent = 0
    public var bytesSent: Int64 = 0
    public var messagesReceived = 0
    public var bytesReceived: Int64 = 0

    public init() {}

    /// A message of this many bytes was handed to the connection.
    public mutating func sent(bytes: Int) {
        self.messagesSent += 1
        self.bytesSent += Int64(bytes)
    }

    /// A message of this many bytes arrived.
    public mutating func received(bytes: Int) {
        self.messagesReceived += 1
        self.bytesReceived += Int64(bytes)
    }
}
