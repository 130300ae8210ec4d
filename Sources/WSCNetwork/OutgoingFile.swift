#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import WSCCore

/// A file opened for sending, read in chunks so that big files never sit whole in memory.
public struct OutgoingFile: Sendable {
    /// The name to report in progress events (the path as the user gave it).
    public var name: String
    /// The open descriptor; the connection closes it when done.
    let descriptor: CInt
    /// The size when opened.
    public let size: Int64
    /// Sent as a binary message (`/file`) or a text message (`/text`).
    public var kind: MessageAssembler.MessageKind

    /// Opens a regular file for reading; the error says why it can't be.
    public init(path: String, displayName: String, kind: MessageAssembler.MessageKind) throws(InputError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw InputError("cannot read '\(displayName)': \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            _ = systemClose(descriptor)
            throw InputError("cannot read '\(displayName)': \(reason)")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            _ = systemClose(descriptor)
            throw InputError("cannot send '\(displayName)': not a regular file")
        }
        self.name = displayName
        self.descriptor = descriptor
        self.size = Int64(info.st_size)
        self.kind = kind
    }

    /// Reads up to `count` bytes at `offset` into `buffer`; returns how many were read.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(InputError) -> Int {
        while true {
            let count = pread(self.descriptor, buffer.baseAddress, buffer.count, off_t(offset))
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

    /// Reads the whole file (for small files sent as one text message).
    public func readAll() throws(InputError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: Int(self.size))
        var offset = 0
        while offset < bytes.count {
            let result: Result<Int, InputError> = bytes.withUnsafeMutableBytes { buffer in
                Result { () throws(InputError) -> Int in
                    try self.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[offset...]), at: Int64(offset))
                }
            }
            let count = try result.get()
            guard count > 0 else {
                bytes.removeLast(bytes.count - offset)
                break
            }
            offset += count
        }
        return bytes
    }
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
