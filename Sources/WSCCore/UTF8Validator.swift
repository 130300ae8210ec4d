/// Checks UTF-8 as it arrives, a piece at a time, and says as soon as a byte makes it
/// invalid.
///
/// A pure value that carries a sequence cut between pieces over to the next one. It
/// accepts exactly what Unicode calls well-formed UTF-8: no overlong forms, no
/// surrogates, nothing above U+10FFFF (Table 3-7 of the Unicode Standard).
public struct UTF8Validator: Sendable {
    /// Continuation bytes still expected in the sequence under way.
    private var remaining: UInt8 = 0
    /// The range the next continuation byte must be in (narrower right after E0, ED, F0, F4).
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF

    public init() {}

    /// Whether no sequence is under way: what came so far is whole characters.
    public var isAtBoundary: Bool { self.remaining == 0 }

    /// Takes the next piece; false as soon as it makes what came so far invalid (and
    /// then on every later call too).
    public mutating func consume(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard self.remaining != .max else {
            return false
        }
        var index = 0
        let count = bytes.count
        while index < count {
            if self.remaining == 0 {
                // ASCII, eight bytes at a time.
                while index + 8 <= count,
                    bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
                {
                    index += 8
                }
                guard index < count else {
                    break
                }
                let byte = bytes[index]
                index += 1
                guard self.lead(byte) else {
                    self.remaining = .max
                    return false
                }
            } else {
                let byte = bytes[index]
                index += 1
                guard byte >= self.lower, byte <= self.upper else {
                    self.remaining = .max
                    return false
                }
                self.remaining -= 1
                (self.lower, self.upper) = (0x80, 0xBF)
            }
        }
        return true
    }

    /// Takes the next piece of bytes held in an array or any contiguous collection.
    public mutating func consume(_ bytes: some Sequence<UInt8>) -> Bool {
        let result = bytes.withContiguousStorageIfAvailable { self.consume(UnsafeRawBufferPointer($0)) }
        if let result {
            return result
        }
        return Array(bytes).withUnsafeBytes { self.consume($0) }
    }

    /// Starts a sequence with its first byte; false when no sequence starts so.
    private mutating func lead(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x00...0x7F:
            return true
        case 0xC2...0xDF:
            (self.remaining, self.lower, self.upper) = (1, 0x80, 0xBF)
        case 0xE0:
            (self.remaining, self.lower, self.upper) = (2, 0xA0, 0xBF)
        case 0xE1...0xEC, 0xEE...0xEF:
            (self.remaining, self.lower, self.upper) = (2, 0x80, 0xBF)
        case 0xED:
            (self.remaining, self.lower, self.upper) = (2, 0x80, 0x9F)
        case 0xF0:
            (self.remaining, self.lower, self.upper) = (3, 0x90, 0xBF)
        case 0xF1...0xF3:
            (self.remaining, self.lower, self.upper) = (3, 0x80, 0xBF)
        case 0xF4:
            (self.remaining, self.lower, self.upper) = (3, 0x80, 0x8F)
        default:
            return false
        }
        return true
    }
}
