#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

struct TestFileError: Error {
    let message: String
}

/// Writes bytes to a new file.
func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    guard let file = fopen(path, "wb") else {
        throw TestFileError(message: "cannot create \(path)")
    }
    defer { fclose(file) }
    guard fwrite(bytes, 1, bytes.count, file) == bytes.count else {
        throw TestFileError(message: "cannot write \(path)")
    }
}

func removeFile(_ path: String) {
    unlink(path)
}
