/// What `wsc --listen` accepts in an opening handshake: which Origins and which subprotocols.
///
/// Pure decisions on request headers, so the server's handlers only carry them out.
public struct ServerHandshakePolicy: Hashable, Sendable {
    /// The Origins accepted (`--origin`); empty accepts any request, with or without one.
    public var allowedOrigins: [String]
    /// The subprotocols served (`--subprotocol`), in order of preference.
    public var subprotocols: [String]
    /// Whether a client's permessage-deflate offer is accepted (off with `--no-compress`).
    public var compression: Bool

    public init(allowedOrigins: [String] = [], subprotocols: [String] = [], compression: Bool = true) {
        self.allowedOrigins = allowedOrigins
        self.subprotocols = subprotocols
        self.compression = compression
    }

    /// What to answer an upgrade request.
    public enum Decision: Hashable, Sendable {
        /// Switch protocols, with this subprotocol and compression.
        ///
        /// A nil subprotocol sends no `Sec-WebSocket-Protocol`; nil compression agrees to none.
        case accept(subprotocol: String?, compression: PerMessageDeflate? = nil)
        /// Answer with this HTTP status; the reason is the response body and what `wsc` reports.
        case refuse(Refusal)
    }

    /// An HTTP answer instead of the upgrade.
    public struct Refusal: Hashable, Sendable {
        /// The status code, e.g. 403.
        public var status: Int
        /// Why, in words.
        public var reason: String

        public init(status: Int, reason: String) {
            self.status = status
            self.reason = reason
        }
    }

    /// Decides on a WebSocket upgrade request whose key and version already passed.
    ///
    /// With `--origin`, a request whose `Origin` is not listed, or that has none, gets 403;
    /// one that is not a GET, or lacks `Connection: Upgrade`, gets 400 (RFC 6455 4.2.1).
    /// The subprotocol is the first of ours (in our order) that the client offered; when
    /// none matches, the handshake goes on without one and the client decides. Compression is
    /// the first permessage-deflate offer that can be accepted.
    public func decide(requestMethod: String, requestHeaders: [HeaderField]) -> Decision {
        if let refusal = self.originRefusal(requestHeaders) ?? Self.requestLineRefusal(requestMethod, requestHeaders) {
            return .refuse(refusal)
        }
        let offered = requestHeaders.values(of: "sec-websocket-protocol")
        let compression =
            self.compression
            ? PerMessageDeflate.accept(offers: requestHeaders.values(of: "sec-websocket-extensions")) : nil
        return .accept(subprotocol: self.subprotocols.first(where: offered.contains), compression: compression)
    }

    /// Why a request was not upgraded.
    ///
    /// Either not a WebSocket request (426), an Origin not allowed (403), or a broken WebSocket
    /// request (400).
    public func refusal(requestMethod: String, requestHeaders: [HeaderField]) -> Refusal {
        let upgrade = requestHeaders.values(of: "upgrade").map { $0.lowercased() }
        guard upgrade.contains("websocket") else {
            return Refusal(status: 426, reason: "This is a WebSocket server (wsc). Connect with a WebSocket client.")
        }
        if let refusal = self.originRefusal(requestHeaders) ?? Self.requestLineRefusal(requestMethod, requestHeaders) {
            return refusal
        }
        let versions = requestHeaders.values(of: "sec-websocket-version")
        guard versions == ["13"] else {
            let version = versions.isEmpty ? "none" : versions.joined(separator: ", ")
            return Refusal(
                status: 400,
                reason: "Unsupported Sec-WebSocket-Version (\(version)); this server speaks 13."
            )
        }
        return Refusal(status: 400, reason: "Missing or malformed Sec-WebSocket-Key.")
    }

    /// A 400 for an upgrade that is not a GET or lacks `Connection: Upgrade`.
    private static func requestLineRefusal(_ method: String, _ headers: [HeaderField]) -> Refusal? {
        guard method == "GET" else {
            return Refusal(status: 400, reason: "A WebSocket handshake is a GET request, not \(method).")
        }
        guard headers.values(of: "connection").contains(where: { $0.lowercased() == "upgrade" }) else {
            return Refusal(status: 400, reason: "The request lacks 'Connection: Upgrade'.")
        }
        return nil
    }

    private func originRefusal(_ headers: [HeaderField]) -> Refusal? {
        guard !self.allowedOrigins.isEmpty else {
            return nil
        }
        let origins = headers.filter { $0.name.lowercased() == "origin" }.map(\.value)
        guard let origin = origins.first else {
            return Refusal(
                status: 403,
                reason: "Forbidden: no Origin header; allowed: \(self.allowedOrigins.joined(separator: ", "))."
            )
        }
        guard origins.count == 1, self.allowedOrigins.contains(where: { Self.sameOrigin($0, origin) }) else {
            return Refusal(status: 403, reason: "Forbidden: Origin '\(origin)' is not allowed.")
        }
        return nil
    }

    /// Origins compare without case and without a trailing slash.
    static func sameOrigin(_ allowed: String, _ given: String) -> Bool {
        func normal(_ text: String) -> String {
            var text = text.lowercased()
            while text.hasSuffix("/") {
                text.removeLast()
            }
            return text
        }
        return normal(allowed) == normal(given)
    }
}

extension [HeaderField] {
    /// The comma-separated values of every field with this (lower-case) name, trimmed.
    func values(of lowercasedName: String) -> [String] {
        self.filter { $0.name.lowercased() == lowercasedName }
            .flatMap { $0.value.split(separator: ",") }
            .map { String($0.trimmingASCIIWhitespace()) }
            .filter { !$0.isEmpty }
    }
}
