/// Something that happened on a connection, in the order it happened.
public enum ConnectionEvent: Hashable, Sendable {
    /// The opening handshake succeeded.
    case open(OpenInfo)
    /// A complete data message arrived.
    case message(Message)
    /// Something went wrong; a `close` event follows when the connection ends.
    case error(ConnectionError)
    /// The connection ended. Exactly one per connection, always last.
    case close(CloseInfo)
    /// The peer sent a ping with this payload (it has been answered).
    case ping([UInt8])
    /// The peer sent a pong; `roundTrip` is set when it answers a ping of ours.
    case pong([UInt8], roundTrip: Duration?)
    /// Progress of a file being sent.
    case progress(TransferProgress)
    /// The handshake request or response, reported when tracing is on (`-v`).
    case handshake(HandshakeTrace)
    /// The upgrade was redirected (`-L`) and is tried again at another URL.
    case redirect(Redirection)
    /// Messages handed over that were never written: the connection ended first.
    ///
    /// Only when the connection was asked to give them back (for `--reconnect`).
    case unsent([Message])
    /// The connection ended and another is tried after a delay (`--reconnect`).
    case reconnect(ReconnectAttempt)
}

/// What the `reconnect` event reports.
public struct ReconnectAttempt: Hashable, Sendable {
    /// The number of this attempt since the last connection that opened (1 for the first).
    public var attempt: Int
    /// How long until it starts.
    public var delay: Duration

    public init(attempt: Int, delay: Duration) {
        self.attempt = attempt
        self.delay = delay
    }
}

/// What the `redirect` event reports.
public struct Redirection: Hashable, Sendable {
    /// The redirect's status, e.g. 302.
    public var status: Int
    /// The URL that will be tried next.
    public var url: String

    public init(status: Int, url: String) {
        self.status = status
        self.url = url
    }
}

/// What the `open` event reports.
public struct OpenInfo: Hashable, Sendable {
    /// The URL that was connected to; for a client of `wsc --listen`, the request target it asked for.
    public var url: String
    /// The subprotocol the server selected, if any.
    public var subprotocol: String?
    /// The extensions the server accepted, as in its `Sec-WebSocket-Extensions` header.
    public var extensions: [String]
    /// For a client of `wsc --listen`: the address it connected from (nil for our own connections).
    public var remoteAddress: String?

    public init(url: String, subprotocol: String?, extensions: [String], remoteAddress: String? = nil) {
        self.url = url
        self.subprotocol = subprotocol
        self.extensions = extensions
        self.remoteAddress = remoteAddress
    }
}

/// How far a file transfer has come.
public struct TransferProgress: Hashable, Sendable {
    /// The file's name as the user gave it.
    public var name: String
    /// Bytes handed to the connection so far.
    public var sentBytes: Int64
    /// The file's size; nil when it is known only at its end (a pipe, a file in `/proc`).
    public var totalBytes: Int64?
    /// True on the last report, once every byte was written.
    public var isComplete: Bool

    public init(name: String, sentBytes: Int64, totalBytes: Int64?, isComplete: Bool) {
        self.name = name
        self.sentBytes = sentBytes
        self.totalBytes = totalBytes
        self.isComplete = isComplete
    }
}
