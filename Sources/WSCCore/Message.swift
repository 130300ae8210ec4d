import NIOCore

/// A complete WebSocket data message: its kind, and its payload as it is on the wire.
///
/// The payload is a `ByteBuffer`, so that a message is made once where its bytes are: a
/// received one is a slice of the bytes read from the socket, and is written to standard
/// output from there; a line read from standard input is a slice of the bytes read. Text
/// becomes a `String` only where it is shown or matched (``text``).
public struct Message: Hashable, Sendable {
    /// What the payload is.
    public enum Kind: Hashable, Sendable {
        /// Text: the payload is valid UTF-8.
        case text
        /// Binary: any bytes.
        case binary
    }

    public var kind: Kind
    /// The payload's bytes (UTF-8 for text).
    public var payload: ByteBuffer

    /// A message of this kind with this payload; a text payload must be valid UTF-8.
    public init(kind: Kind, payload: ByteBuffer) {
        self.kind = kind
        self.payload = payload
    }

    /// A text message.
    public static func text(_ text: String) -> Message {
        Message(kind: .text, payload: ByteBuffer(string: text))
    }

    /// A binary message.
    public static func binary<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> Message {
        Message(kind: .binary, payload: ByteBuffer(bytes: bytes))
    }

    /// The number of payload bytes on the wire.
    public var byteCount: Int { self.payload.readableBytes }

    /// The payload's bytes as an array.
    public var bytes: [UInt8] { Array(self.payload.readableBytesView) }

    /// The text of a text message; a binary one's bytes read as UTF-8 (with U+FFFD for
    /// what is not).
    public var text: String { String(buffer: self.payload) }
}

extension Message: CustomStringConvertible {
    public var description: String {
        switch self.kind {
        case .text: "text(\(String(reflecting: self.text)))"
        case .binary: "binary(\(self.bytes))"
        }
    }
}
