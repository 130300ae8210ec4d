import WSCCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file opened for sending, read in chunks so that big files never sit whole in memory.
public struct OutgoingFile: Sendable {
    /// The name to report in progress events (the path as the user gave it).
    public var name: String
    /// The open descriptor; the connection closes it when done.
    let descriptor: CInt
    /// The size when opened; nil when it is known only at the end: a pipe (`--file <(cmd)`,
    /// a FIFO), or a file whose size the kernel gives as 0 (`/proc/self/status`), read to its end.
    public let size: Int64?
    /// Whether it is read at offsets (a regular file), or as it comes (a pipe).
    let isSeekable: Bool
    /// Sent as a binary message (`/file`) or a text message (`/text`).
    public var kind: MessageAssembler.MessageKind

    /// Opens a regular file or a pipe for reading; the error says why it can't be.
    public init(path: String, displayName: String, kind: MessageAssembler.MessageKind) throws(InputError) {
        // Not blocking: a FIFO without a writer would hold the prompt until one came.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            throw InputError("cannot read '\(displayName)': \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            _ = systemClose(descriptor)
            throw InputError("cannot read '\(displayName)': \(reason)")
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            self.size = info.st_size > 0 ? Int64(info.st_size) : nil
            self.isSeekable = true
        case S_IFIFO:
            self.size = nil
            self.isSeekable = false
        default:
            _ = systemClose(descriptor)
            throw InputError("cannot send '\(displayName)': not a regular file or a pipe")
        }
        // Reads wait for data from here on (they run off the event loop).
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        self.name = displayName
        self.descriptor = descriptor
        self.kind = kind
    }

    /// Reads up to `count` bytes at `offset` (as they come, for a pipe) into `buffer`;
    /// returns how many were read, 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(InputError) -> Int {
        while true {
            let count =
                self.isSeekable
                ? pread(self.descriptor, buffer.baseAddress, buffer.count, off_t(offset))
                : systemRead(self.descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 {
                return count
            }
            if errno != EINTR {
                throw InputError("reading '\(self.name)' failed: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Releases the descriptor.
    func close() {
        _ = systemClose(self.descriptor)
    }

    /// Releases the descriptor of a file that will not be sent.
    public func closeDescriptor() {
        self.close()
    }

    /// Reads the whole file to its end (for files sent as one text message); more than `limit`
    /// bytes is an error.
    public func readAll(limit: Int) throws(InputError) -> [UInt8] {
        if let size = self.size, size > Int64(limit) {
            throw InputError("'\(self.name)' is \(size) bytes, more than the message size limit (\(limit))")
        }
        var bytes = [UInt8](repeating: 0, count: self.size.map { Int($0) } ?? 64 * 1024)
        var offset = 0
        while true {
            if offset == bytes.count {
                // Past the size given when opened (or with none): read on, to the end.
                guard offset < limit else {
                    throw InputError("'\(self.name)' is more than the message size limit (\(limit))")
                }
                bytes.append(contentsOf: repeatElement(0, count: min(max(bytes.count, 64 * 1024), limit - offset)))
            }
            let result: Result<Int, InputError> = bytes.withUnsafeMutableBytes { buffer in
                Result { () throws(InputError) -> Int in
                    try self.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[offset...]), at: Int64(offset))
                }
            }
            let count = try result.get()
            guard count > 0 else {
                bytes.removeLast(bytes.count - offset)
                return bytes
            }
            offset += count
        }
    }
}

private func systemRead(_ descriptor: CInt, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.read(descriptor, buffer, count)
    #elseif canImport(Musl)
        Musl.read(descriptor, buffer, count)
    #else
        Darwin.read(descriptor, buffer, count)
    #endif
}

private func systemClose(_ descriptor: CInt) -> CInt {
    #if canImport(Glibc)
        Glibc.close(descriptor)
    #elseif canImport(Musl)
        Musl.close(descriptor)
    #else
        Darwin.close(descriptor)
    #endif
}
