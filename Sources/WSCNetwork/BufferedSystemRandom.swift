#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The system's CSPRNG, drawn a few kilobytes at a time.
///
/// A client masks every frame with a fresh unpredictable key (RFC 6455, section 5.3).
/// `SystemRandomNumberGenerator` makes one `getrandom(2)` call per key, which for a
/// million small messages is a million system calls; this generator makes one per 512
/// keys, with the same source (`arc4random_buf`, which glibc and Darwin serve from the
/// kernel's CSPRNG).
struct BufferedSystemRandom: RandomNumberGenerator {
    /// Random words not yet handed out.
    private var words: [UInt64] = []
    private var index = 0
    /// How many words one refill draws.
    static let batch = 512

    mutating func next() -> UInt64 {
        if self.index == self.words.count {
            self.refill()
        }
        defer { self.index += 1 }
        return self.words[self.index]
    }

    private mutating func refill() {
        if self.words.count != Self.batch {
            self.words = [UInt64](repeating: 0, count: Self.batch)
        }
        #if canImport(Glibc) || canImport(Darwin)
            self.words.withUnsafeMutableBytes { buffer in
                if let base = buffer.baseAddress {
                    arc4random_buf(base, buffer.count)
                }
            }
        #else
            var system = SystemRandomNumberGenerator()
            for index in self.words.indices {
                self.words[index] = system.next()
            }
        #endif
        self.index = 0
    }
}
