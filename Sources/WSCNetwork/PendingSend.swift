import NIOCore
import WSCCore

/// A data message or file waiting for its turn in a connection's ``OutboundQueue``.
enum PendingSend: OutboundItem {
    case message(Message)
    /// A binary message whose payload is a buffer of its own.
    case binary(ByteBuffer)
    case file(OutgoingFile)

    /// The payload bytes it holds in memory (none for a file, read as it goes).
    var byteCount: Int {
        switch self {
        case .message(let message): message.byteCount
        case .binary(let payload): payload.readableBytes
        case .file: 0
        }
    }

    /// Whether it streams (a file), so that what follows waits for its end.
    var isStream: Bool {
        switch self {
        case .message, .binary: false
        case .file: true
        }
    }

    /// The message it is, as an `unsent` event gives it back (none for a file).
    var messages: [Message] {
        switch self {
        case .message(let message): [message]
        case .binary(let payload): [Message(kind: .binary, payload: payload)]
        case .file: []
        }
    }
}
