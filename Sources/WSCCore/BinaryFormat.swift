/// How binary messages are shown.
public enum BinaryFormat: String, Sendable, CaseIterable {
    /// A hex preview of the first bytes (on a terminal); full hex with a newline (in a pipe).
    case hex
    /// Base64 of the whole message.
    case base64
    /// The bytes themselves.
    case raw
    /// Only the size.
    case summary
}
