import NIOCore
import WSCCore
import WSCNetwork

extension FuzzTarget {
    /// The frame reader over any bytes: the first byte says how the rest is cut into reads
    /// (1 to 64 bytes each) and which size limit applies.
    ///
    /// Whatever the bytes, the reader takes in every byte of each read, never hands over a
    /// frame over the limit, and reads the same frames, reports and all, however the
    /// bytes are cut.
    static func frames(_ bytes: [UInt8]) {
        guard let first = bytes.first else {
            return
        }
        let piece = Int(first & 0x3F) + 1
        let limit = first & 0x40 != 0 ? 125 : 1 << 16
        let wire = bytes.dropFirst()
        let whole = Self.read(wire, pieces: wire.count, limit: limit)
        let cut = Self.read(wire, pieces: piece, limit: limit)
        guard whole == cut else {
            fatalError("frames read whole differ from frames read \(piece) bytes at a time")
        }
    }

    /// What a reader makes of the bytes, read in pieces of this size.
    private static func read(_ wire: ArraySlice<UInt8>, pieces: Int, limit: Int) -> [FrameReader.Item] {
        var reader = FrameReader(limit: limit)
        var items: [FrameReader.Item] = []
        var start = wire.startIndex
        while start < wire.endIndex {
            let end = min(start + max(pieces, 1), wire.endIndex)
            var read = ByteBuffer(bytes: wire[start..<end])
            while let item = reader.next(from: &read) {
                if case .frame(let frame) = item, frame.payload.readableBytes > limit {
                    fatalError("a frame of \(frame.payload.readableBytes) bytes passed the limit of \(limit)")
                }
                items.append(item)
            }
            guard read.readableBytes == 0 else {
                fatalError("the reader left \(read.readableBytes) bytes of a read")
            }
            start = end
        }
        return items
    }
}
