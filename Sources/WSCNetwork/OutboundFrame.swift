import NIOCore
import NIOWebSocket
import WSCCore

/// One frame for the ``FrameWriter``: its opcode, FIN bit and payload, before masking
/// and compression.
struct OutboundFrame {
    /// Where the payload is.
    enum Payload {
        /// A message's payload: copied into the shared buffer of frames.
        case copied(ByteBuffer)
        /// A control frame's payload: copied into the shared buffer of frames.
        case bytes([UInt8])
        /// A buffer of its own (bulk data, a file's chunk): masked in place and written as it
        /// is, behind a header of its own, so it is not copied.
        case buffer(ByteBuffer)

        /// The payload's length.
        var count: Int {
            switch self {
            case .copied(let buffer): buffer.readableBytes
            case .bytes(let bytes): bytes.count
            case .buffer(let buffer): buffer.readableBytes
            }
        }
    }

    var opcode: WebSocketOpcode
    var fin: Bool
    var payload: Payload

    init(opcode: WebSocketOpcode, fin: Bool = true, payload: Payload) {
        self.opcode = opcode
        self.fin = fin
        self.payload = payload
    }

    /// A whole data message.
    init(_ message: Message) {
        switch message.kind {
        case .text: self.init(opcode: .text, payload: .copied(message.payload))
        case .binary: self.init(opcode: .binary, payload: .copied(message.payload))
        }
    }

    /// Whether it is a whole data message, which permessage-deflate compresses.
    var isWholeMessage: Bool {
        self.fin && (self.opcode == .text || self.opcode == .binary)
    }
}
