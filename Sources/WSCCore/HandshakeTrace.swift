/// The request or response of the opening handshake, for `-v`.
public struct HandshakeTrace: Hashable, Sendable {
    /// True for our request, false for the server's response.
    public var isRequest: Bool
    /// `GET /path HTTP/1.1` or `HTTP/1.1 101 Switching Protocols`.
    public var startLine: String
    /// The header fields, in order.
    public var headers: [HeaderField]

    public init(isRequest: Bool, startLine: String, headers: [HeaderField]) {
        self.isRequest = isRequest
        self.startLine = startLine
        self.headers = headers
    }

    /// The lines to show: `> ` before request lines, `< ` before response lines, secrets redacted.
    public var lines: [String] {
        let marker = self.isRequest ? "> " : "< "
        return [marker + self.startLine] + self.headers.map { marker + "\($0.redacted.name): \($0.redacted.value)" }
    }
}

extension HeaderField {
    /// The names whose values are secrets, shown as `<redacted>` in traces.
    static let secretNames: Set<String> = ["authorization", "proxy-authorization", "cookie", "set-cookie"]

    /// This field with its value hidden when the value is a secret (an auth scheme name is kept).
    public var redacted: HeaderField {
        let name = self.name.lowercased()
        guard Self.secretNames.contains(name) else {
            return self
        }
        if name.hasSuffix("authorization"), let space = self.value.firstIndex(of: " ") {
            return HeaderField(name: self.name, value: "\(self.value[..<space]) <redacted>")
        }
        return HeaderField(name: self.name, value: "<redacted>")
    }
}
