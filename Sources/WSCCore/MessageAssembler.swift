/// Checks the order of incoming data frames and decides when a message is complete.
///
/// A pure value that sees only frame kinds, sizes and RSV1; the caller keeps the bytes. It
/// enforces RFC 6455 section 5.4 (fragments of one message are not interleaved with
/// another's), the message size limit, and where RSV1 may be set (RFC 7692 section 6: on
/// the first frame of a message, once permessage-deflate is agreed).
public struct MessageAssembler: Sendable {
    /// The kind of a data frame.
    public enum FrameKind: Sendable {
        case text
        case binary
        case continuation
    }

    /// The kind of a complete message.
    public enum MessageKind: Sendable {
        case text
        case binary
    }

    enum State: Sendable {
        case idle
        case assembling(MessageKind, size: Int, compressed: Bool)
    }

    /// What the caller does with the frame that arrived.
    public enum Action: Hashable, Sendable {
        /// The frame is a whole message by itself: deliver it (decompressed first if `compressed`).
        case deliverFrame(MessageKind, compressed: Bool)
        /// The frame starts a message: keep its bytes.
        case startMessage(MessageKind)
        /// The frame continues the message: add its bytes.
        case appendFrame
        /// The frame ends the message: add its bytes and deliver the message.
        ///
        /// The message is decompressed first if `compressed`.
        case appendFrameAndDeliver(MessageKind, compressed: Bool)
        /// Fail the connection with this code; the message says why.
        case fail(CloseCode, String)
    }

    private var state: State = .idle
    /// The largest message accepted, in bytes (as received: compressed, if it is).
    public let maximumMessageSize: Int
    /// Whether permessage-deflate was agreed, so that RSV1 marks a compressed message.
    public var compressionAgreed = false

    public init(maximumMessageSize: Int) {
        self.maximumMessageSize = maximumMessageSize
    }

    /// Whether a fragmented message is in progress.
    public var isAssembling: Bool {
        switch self.state {
        case .idle: false
        case .assembling: true
        }
    }

    /// A data frame arrived with this kind, FIN bit, RSV1 bit and payload length.
    public mutating func frameReceived(_ kind: FrameKind, fin: Bool, rsv1: Bool = false, length: Int) -> Action {
        if rsv1, !self.compressionAgreed {
            self.state = .idle
            return .fail(.protocolError, "frame with RSV1 set, but permessage-deflate was not agreed")
        }
        switch (self.state, kind) {
        case (.idle, .text), (.idle, .binary):
            let messageKind: MessageKind = kind == .text ? .text : .binary
            guard length <= self.maximumMessageSize else {
                return self.tooBig(length)
            }
            if fin {
                return .deliverFrame(messageKind, compressed: rsv1)
            }
            self.state = .assembling(messageKind, size: length, compressed: rsv1)
            return .startMessage(messageKind)
        case (.idle, .continuation):
            return .fail(.protocolError, "continuation frame with no message in progress")
        case (.assembling, .continuation) where rsv1:
            self.state = .idle
            return .fail(.protocolError, "continuation frame with RSV1 set")
        case (.assembling, .text), (.assembling, .binary):
            self.state = .idle
            return .fail(.protocolError, "new message started before the previous one ended")
        case (.assembling(let messageKind, let size, let compressed), .continuation):
            let newSize = size + length
            guard newSize <= self.maximumMessageSize else {
                self.state = .idle
                return self.tooBig(newSize)
            }
            if fin {
                self.state = .idle
                return .appendFrameAndDeliver(messageKind, compressed: compressed)
            }
            self.state = .assembling(messageKind, size: newSize, compressed: compressed)
            return .appendFrame
        }
    }

    private func tooBig(_ size: Int) -> Action {
        .fail(.messageTooBig, Self.tooBigText(size: UInt64(size), limit: self.maximumMessageSize, atLeast: true))
    }

    /// Why a message was refused with 1009, naming the option that sets the limit.
    public static func tooBigText(size: UInt64, limit: Int, atLeast: Bool) -> String {
        "message of \(atLeast ? "at least " : "")\(size) bytes is over the --max-message-size limit (\(limit) bytes)"
    }
}
