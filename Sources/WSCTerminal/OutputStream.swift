#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes bytes to a file descriptor in full, retrying short writes.
public struct OutputStream: Sendable {
    /// The descriptor written to.
    public let descriptor: CInt

    /// Standard output.
    public static let standardOutput = OutputStream(descriptor: STDOUT_FILENO)
    /// Standard error.
    public static let standardError = OutputStream(descriptor: STDERR_FILENO)

    public init(descriptor: CInt) {
        self.descriptor = descriptor
    }

    /// Why a write did not finish.
    public enum Failure: Error, Equatable, Sendable {
        /// The reader is gone (`EPIPE`): `| head -1` had enough.
        case readerGone
        /// Any other error (`ENOSPC` on a full disk, `EIO`, …), with its `errno`.
        case failed(errno: CInt)

        /// The error in words, as `strerror` gives it.
        public var description: String {
            switch self {
            case .readerGone: String(cString: strerror(EPIPE))
            case .failed(let number): String(cString: strerror(number))
            }
        }
    }

    /// Writes all the bytes; returns false if the other end is gone (EPIPE) or another error happened.
    @discardableResult
    public func write<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        self.writeAll(bytes) == nil
    }

    /// Writes the text's UTF-8 bytes in full.
    @discardableResult
    public func write(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { self.write(UnsafeRawBufferPointer($0)) } == nil
    }

    /// Writes all the bytes; returns why not when they could not all be written.
    public func writeAll<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Failure? {
        let done = bytes.withContiguousStorageIfAvailable { buffer in
            self.write(UnsafeRawBufferPointer(buffer))
        }
        if let done {
            return done
        }
        let copy = Array(bytes)
        return copy.withUnsafeBytes { self.write($0) }
    }

    private func write(_ buffer: UnsafeRawBufferPointer) -> Failure? {
        guard let base = buffer.baseAddress else {
            return nil
        }
        var offset = 0
        while offset < buffer.count {
            let written = systemWrite(self.descriptor, base + offset, buffer.count - offset)
            if written < 0 {
                switch errno {
                case EINTR, EAGAIN:
                    continue
                case EPIPE:
                    return .readerGone
                case let number:
                    return .failed(errno: number)
                }
            }
            offset += written
        }
        return nil
    }
}

private func systemWrite(_ descriptor: CInt, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(descriptor, pointer, count)
    #elseif canImport(Musl)
        Musl.write(descriptor, pointer, count)
    #else
        Darwin.write(descriptor, pointer, count)
    #endif
}
