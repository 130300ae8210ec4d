import ArgumentParser

/// How the time options (`--timeout`, `-w`, `--connect-timeout`, …) take their seconds.
///
/// Every such option is checked here against one range, so that no value, however large,
/// small or odd, reaches the timers: a value past what 64-bit milliseconds and nanoseconds
/// hold used to trap when it was converted.
enum Seconds {
    /// The longest time an option takes: 10⁹ s, about 31 years.
    ///
    /// Far past any real wait, and far below where nanoseconds (at about 9.2 × 10⁹ s) or a
    /// deadline that adds two such times overflow 64 bits.
    static let most = 1_000_000_000.0
    /// How `most` is written in messages.
    static let mostText = "1000000000"
    /// The shortest positive time: one millisecond, the unit the timers run in.
    static let least = 0.001

    /// Throws the option's range in words unless `value` lies in it.
    ///
    /// The range is `least` (written as `leastText`) to ``most``, plus the values of
    /// `exceptions`, each with what it means.
    static func check(
        _ value: Double?,
        option name: String,
        least: Double = Self.least,
        leastText: String = "0.001",
        exceptions: [(value: Double, meaning: String)] = []
    ) throws {
        guard let value else {
            return
        }
        if exceptions.contains(where: { $0.value == value }) || (value >= least && value <= Self.most) {
            return
        }
        var words = "\(name) takes seconds from \(leastText) to \(Self.mostText)"
        for exception in exceptions {
            words += ", or \(Self.text(exception.value)) \(exception.meaning)"
        }
        throw ValidationError(words)
    }

    /// The duration of a value that passed ``check(_:option:least:leastText:exceptions:)``, to the millisecond.
    static func duration(_ seconds: Double) -> Duration {
        .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// `-1`, `0`: an exception's value as the user types it.
    private static func text(_ value: Double) -> String {
        value == value.rounded() ? String(Int64(value)) : String(value)
    }
}
