/// One DER element: its tag, its content, and where it ends in the bytes read.
struct DERElement {
    var tag: UInt8
    var content: ArraySlice<UInt8>
    var end: Int

    /// The element at the start of `bytes`; nil if they do not hold a whole one.
    init?(in bytes: ArraySlice<UInt8>) {
        var index = bytes.startIndex
        guard index < bytes.endIndex else {
            return nil
        }
        self.tag = bytes[index]
        index += 1
        guard index < bytes.endIndex else {
            return nil
        }
        var length = Int(bytes[index])
        index += 1
        if length & 0x80 != 0 {
            let count = length & 0x7F
            guard count >= 1, count <= 4, bytes.endIndex - index >= count else {
                return nil
            }
            length = 0
            for byte in bytes[index..<(index + count)] {
                length = length << 8 | Int(byte)
            }
            index += count
        }
        guard bytes.endIndex - index >= length else {
            return nil
        }
        self.content = bytes[index..<(index + length)]
        self.end = index + length
    }
}
