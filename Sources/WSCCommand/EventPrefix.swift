import WSCCore
import WSCTerminal

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What goes before each line of an event's text: the time of day (`-T`) and `[#id] `
/// (`--listen`).
struct EventPrefix {
    let timestamps: Bool

    /// Each line of `text` prefixed.
    func apply(to text: String, client: Int?) -> String {
        var prefix = client.map { "[#\($0)] " } ?? ""
        if self.timestamps {
            prefix = Self.localClock() + " " + prefix
        }
        guard !prefix.isEmpty else {
            return text
        }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { prefix + $0 }.joined(separator: "\n")
    }

    /// The local time of day now, `14:03:27.041`.
    static func localClock() -> String {
        let milliseconds = Self.epochMilliseconds()
        var seconds = time_t(milliseconds / 1000)
        var local = tm()
        localtime_r(&seconds, &local)
        return EventFormatter.clock(milliseconds: milliseconds, utcOffsetSeconds: Int(local.tm_gmtoff))
    }

    /// Milliseconds since the Unix epoch, for `--ndjson` timestamps.
    static func epochMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}
