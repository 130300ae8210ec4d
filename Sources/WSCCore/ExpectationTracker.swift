/// Checks received text against `--expect` patterns, in order: each message can satisfy
/// the next pattern still waiting; all satisfied means done.
public struct ExpectationTracker {
    /// The patterns as given.
    public let patterns: [String]
    private let regexes: [Regex<AnyRegexOutput>]
    /// How many patterns have matched so far.
    public private(set) var matched = 0

    /// Compiles the patterns; throws the first one that is not a valid regular expression.
    public init(patterns: [String]) throws(InputError) {
        var regexes: [Regex<AnyRegexOutput>] = []
        for pattern in patterns {
            do {
                regexes.append(try Regex(pattern))
            } catch {
                throw InputError("--expect '\(pattern)' is not a valid regular expression: \(error)")
            }
        }
        self.patterns = patterns
        self.regexes = regexes
    }

    /// Whether every pattern has matched.
    public var isSatisfied: Bool { self.matched == self.regexes.count }

    /// A message arrived; returns true when it completed the list.
    public mutating func received(_ message: Message) -> Bool {
        guard !self.isSatisfied, case .text(let text) = message else {
            return false
        }
        if (try? self.regexes[self.matched].firstMatch(in: text)) != nil {
            self.matched += 1
            return self.isSatisfied
        }
        return false
    }
}
