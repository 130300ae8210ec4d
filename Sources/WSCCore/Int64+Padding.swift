extension Int64 {
    /// The number in decimal with leading zeros up to `width` digits: `7` → `07`.
    func zeroPadded(_ width: Int) -> String {
        let text = String(self)
        return String(repeating: "0", count: Swift.max(0, width - text.count)) + text
    }
}
