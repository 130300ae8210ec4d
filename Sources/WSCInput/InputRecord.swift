import NIOCore

/// One record of standard input: its bytes, or only its size when it is too long to keep.
public enum InputRecord: Sendable, Equatable {
    /// A record within the size limit, without its separator: its bytes, copied once out
    /// of what was read into a buffer of their own size, which becomes the payload of the
    /// message that carries them.
    case complete(ByteBuffer)
    /// A record of bulk data read straight into a buffer of its own, which a connection can
    /// send without a copy (``InputLineReader/chunks(of:descriptor:)`` from
    /// ``InputLineReader/directReadMinimum`` bytes on).
    case buffer(ByteBuffer)
    /// A record longer than the limit, read through and dropped; the count is its size.
    case tooLong(Int)
    /// Not a record: the one being read has just grown past the limit (its size so far), and
    /// will come as ``tooLong(_:)`` once it ends, which may be never (`-b < /dev/zero`).
    case passedLimit(Int)
}

extension InputRecord {
    /// The record's bytes (copied out of a buffer); nil for one too long to keep, and for a notice.
    public var bytes: [UInt8]? {
        switch self {
        case .complete(let buffer), .buffer(let buffer): Array(buffer.readableBytesView)
        case .tooLong, .passedLimit: nil
        }
    }
}
