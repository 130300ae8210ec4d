import NIOCore
import WSCCore

extension FrameHeader {
    /// Reads the header at the start of `buffer`'s readable bytes; nil while not all of it is there.
    init?(parsing buffer: ByteBuffer) {
        guard let header = buffer.withUnsafeReadableBytes({ FrameHeader(parsing: $0) }) else {
            return nil
        }
        self = header
    }
}
