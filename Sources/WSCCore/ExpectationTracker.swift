/// Checks received text against `--expect` patterns, in order: each message can satisfy
/// the next pattern still waiting; all satisfied means done.
public struct ExpectationTracker {
    /// The patterns as given.
    public let patterns: [String]
    /// One test per pattern: whether a text holds a match of it.
    ///
    /// Closures, not an array of `Regex`: a field of a regex type makes every session lay
    /// out the regex engine's types (and map their code) at start-up, `--expect` or not.
    private let matchers: [(String) -> Bool]
    /// How many patterns have matched so far.
    public private(set) var matched = 0

    /// Compiles the patterns; throws the first one that is not a valid regular expression.
    public init(patterns: [String]) throws(InputError) {
        var matchers: [(String) -> Bool] = []
        for pattern in patterns {
            let regex: Regex<AnyRegexOutput>
            do {
                regex = try Regex(pattern)
            } catch {
                throw InputError("--expect '\(pattern)' is not a valid regular expression: \(error)")
            }
            matchers.append { text in (try? regex.firstMatch(in: text)) != nil }
        }
        self.patterns = patterns
        self.matchers = matchers
    }

    /// Whether every pattern has matched.
    public var isSatisfied: Bool { self.matched == self.matchers.count }

    /// A message arrived; returns true when it completed the list.
    public mutating func received(_ message: Message) -> Bool {
        guard !self.isSatisfied, message.kind == .text else {
            return false
        }
        if self.matchers[self.matched](message.text) {
            self.matched += 1
            return self.isSatisfied
        }
        return false
    }
}
