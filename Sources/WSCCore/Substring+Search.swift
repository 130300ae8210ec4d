extension Substring {
    /// The range of the first occurrence of `needle`, compared byte for byte as UTF-8.
    ///
    /// The standard library's `firstRange(of:)` lives in the regex module; calling it when
    /// parsing every URL maps that module's code into every run of wsc. The needles here are
    /// ASCII, so a match always starts and ends on character boundaries.
    func firstRange(ofUTF8 needle: String) -> Range<Index>? {
        let pattern = Array(needle.utf8)
        guard let first = pattern.first else {
            return self.startIndex..<self.startIndex
        }
        let bytes = self.utf8
        var start = bytes.startIndex
        while let candidate = bytes[start...].firstIndex(of: first) {
            var end = candidate
            var matched = 0
            while matched < pattern.count, end < bytes.endIndex, bytes[end] == pattern[matched] {
                bytes.formIndex(after: &end)
                matched += 1
            }
            if matched == pattern.count {
                return candidate..<end
            }
            start = bytes.index(after: candidate)
        }
        return nil
    }
}
