extension HeaderField {
    /// The characters of an HTTP token (RFC 9110), which a header name is.
    static let tokenCharacters = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")

    /// Reads `Name: value` as given to `-H`.
    ///
    /// The name must be a token; the value may not hold a line break or NUL (which would
    /// let it smuggle headers of its own into the request). Spaces around both are dropped.
    public init(parsing text: String) throws(InputError) {
        guard let colon = text.firstIndex(of: ":") else {
            throw InputError("header '\(text)' must look like 'Name: value'")
        }
        let name = String(text[..<colon].trimmingASCIIWhitespace())
        let value = String(text[text.index(after: colon)...].trimmingASCIIWhitespace())
        guard !name.isEmpty, name.allSatisfy(Self.tokenCharacters.contains) else {
            throw InputError("'\(name)' is not a valid header name")
        }
        guard !value.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
            throw InputError("the value of header '\(name)' contains a line break or NUL")
        }
        self.init(name: name, value: value)
    }
}
