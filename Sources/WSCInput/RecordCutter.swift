import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Cuts what is read into records, keeping what is left of an unfinished one.
protocol RecordCutter: Sendable {
    /// Adds the records that `bytes` finishes to `batch`.
    mutating func cut(_ bytes: ArraySlice<UInt8>, into batch: inout [InputRecord])
    /// The unfinished record at the end of input, if any.
    mutating func rest() -> InputRecord?
}

/// Records that end with a separator byte (found with memchr: input can be gigabytes).
///
/// The records that lie whole in one read are slices of one copy of that read: one
/// allocation for all of them, not two for each (a `ByteBuffer` of its own is its storage
/// and its bytes). A record cut by the end of a read is gathered in a buffer of its own.
struct LineCutter: RecordCutter {
    let separator: UInt8
    var pending: RecordBuffer

    mutating func cut(_ bytes: ArraySlice<UInt8>, into batch: inout [InputRecord]) {
        var start = bytes.startIndex
        var copy: ByteBuffer?
        while let index = Self.firstIndex(of: self.separator, in: bytes, from: start) {
            if self.pending.isEmpty {
                let length = index - start
                if length > self.pending.limit {
                    batch.append(.tooLong(length))
                } else {
                    let read = copy ?? ByteBuffer(bytes: bytes)
                    copy = read
                    guard let record = read.getSlice(at: read.readerIndex + start - bytes.startIndex, length: length)
                    else {
                        preconditionFailure("a record lies within the read it was found in")
                    }
                    batch.append(.complete(record))
                }
            } else {
                batch.append(self.pending.take(endingWith: bytes[start..<index]))
            }
            start = index + 1
        }
        if self.pending.append(bytes[start...]) {
            batch.append(.passedLimit(self.pending.size))
        }
    }

    mutating func rest() -> InputRecord? {
        self.pending.isEmpty ? nil : self.pending.take()
    }

    private static func firstIndex(of byte: UInt8, in bytes: ArraySlice<UInt8>, from start: Int) -> Int? {
        guard start < bytes.endIndex else {
            return nil
        }
        return bytes.withUnsafeBytes { buffer -> Int? in
            let offset = start - bytes.startIndex
            guard let base = buffer.baseAddress, let found = memchr(base + offset, CInt(byte), buffer.count - offset)
            else {
                return nil
            }
            return bytes.startIndex + (UnsafeRawPointer(found) - base)
        }
    }
}

/// Records of a fixed size, cut wherever they fall.
struct SizeCutter: RecordCutter {
    let size: Int
    private var record: ByteBuffer

    init(size: Int) {
        self.size = size
        self.record = ByteBufferAllocator().buffer(capacity: size)
    }

    mutating func cut(_ bytes: ArraySlice<UInt8>, into batch: inout [InputRecord]) {
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let end = min(start + self.size - self.record.readableBytes, bytes.endIndex)
            self.record.writeBytes(bytes[start..<end])
            start = end
            if self.record.readableBytes == self.size {
                batch.append(.complete(self.record))
                self.record = ByteBufferAllocator().buffer(capacity: self.size)
            }
        }
    }

    mutating func rest() -> InputRecord? {
        self.record.readableBytes == 0 ? nil : .complete(self.record)
    }
}
