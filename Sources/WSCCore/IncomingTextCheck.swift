/// Which bytes arriving belong to a text message, and whether they are still UTF-8, as
/// they arrive: RFC 6455 (8.1) lets an endpoint fail the connection as soon as a text
/// message cannot be valid, without waiting for the frame or the message to end.
///
/// A pure value fed with each frame's header and then its payload, a piece at a time.
/// Compressed messages (RSV1) are checked once inflated instead; control frames between
/// fragments are passed over. Whether a message ends on a whole character is checked
/// when it is delivered.
public struct IncomingTextCheck: Sendable {
    /// Whether the data frames to come continue an uncompressed text message.
    private var messageIsText = false
    /// Whether the current frame's payload is text to check.
    public private(set) var isChecking = false
    private var validator = UTF8Validator()

    public init() {}

    /// Whether the text checked so far ends on a whole character.
    public var isAtBoundary: Bool { self.validator.isAtBoundary }

    /// A frame's header arrived: its opcode (the low four bits of the first byte), FIN
    /// and RSV1.
    public mutating func frameStarted(opcode: UInt8, fin: Bool, rsv1: Bool) {
        switch opcode {
        case 0x1:
            self.validator = UTF8Validator()
            self.isChecking = !rsv1
            self.messageIsText = !rsv1 && !fin
        case 0x0:
            self.isChecking = self.messageIsText
            if fin {
                self.messageIsText = false
            }
        case 0x2:
            self.isChecking = false
            self.messageIsText = false
        default:
            // Control frames come between fragments; reserved opcodes fail elsewhere.
            self.isChecking = false
        }
    }

    /// The next piece of the current frame's payload, unmasked; false as soon as the
    /// text cannot be valid UTF-8.
    public mutating func payloadArrived(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard self.isChecking else {
            return true
        }
        return self.validator.consume(bytes)
    }
}
