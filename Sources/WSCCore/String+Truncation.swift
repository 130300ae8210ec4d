extension String {
    /// The longest prefix whose UTF-8 form fits in `limit` bytes, never splitting a character.
    public func truncatedUTF8(toBytes limit: Int) -> String {
        guard self.utf8.count > limit else {
            return self
        }
        var result = ""
        var used = 0
        for character in self {
            let size = character.utf8.count
            guard used + size <= limit else {
                break
            }
            result.append(character)
            used += size
        }
        return result
    }
}
