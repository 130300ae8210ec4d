import NIOCore

extension ByteBuffer {
    /// Whether the readable bytes are well-formed UTF-8, whole characters to the end.
    ///
    /// ASCII (most text, in practice) is passed eight bytes at a time.
    public var isValidUTF8: Bool {
        var validator = UTF8Validator()
        return self.withUnsafeReadableBytes { validator.consume($0) } && validator.isAtBoundary
    }
}
