/// The checks a client makes on the server's `101 Switching Protocols` answer.
///
/// Beyond the accept key: the subprotocol must be one we offered, and no extension we did not
/// offer, with parameters that follow its rules.
public struct HandshakeValidation: Sendable {
    /// The subprotocols we offered.
    public var offeredSubprotocols: [String]
    /// Whether we offered permessage-deflate (``PerMessageDeflate/clientOffer``).
    public var offeredCompression: Bool

    public init(offeredSubprotocols: [String], offeredCompression: Bool) {
        self.offeredSubprotocols = offeredSubprotocols
        self.offeredCompression = offeredCompression
    }

    /// What the two ends agreed to.
    public struct Agreement: Hashable, Sendable {
        public var subprotocol: String?
        /// The extensions in force, as shown to the user.
        public var extensions: [String]
        /// The permessage-deflate parameters, when compression was agreed.
        public var compression: PerMessageDeflate?

        public init(subprotocol: String?, compression: PerMessageDeflate? = nil) {
            self.subprotocol = subprotocol
            self.compression = compression
            self.extensions = compression.map { [$0.description] } ?? []
        }
    }

    /// Checks the response headers; throws the handshake error to report.
    public func validate(responseHeaders: [HeaderField]) throws(ConnectionError) -> Agreement {
        let protocolValues = responseHeaders.values(of: "sec-websocket-protocol")
        guard protocolValues.count <= 1 else {
            throw ConnectionError(
                .handshake,
                "the server selected several subprotocols (\(protocolValues.joined(separator: ", ")))"
            )
        }
        let subprotocol = protocolValues.first
        if let subprotocol, !self.offeredSubprotocols.contains(subprotocol) {
            let offered =
                self.offeredSubprotocols.isEmpty
                ? "none was offered" : "offered: \(self.offeredSubprotocols.joined(separator: ", "))"
            throw ConnectionError(
                .handshake,
                "the server selected subprotocol '\(subprotocol)', which was not offered (\(offered))"
            )
        }
        var compression: PerMessageDeflate?
        for value in responseHeaders.values(of: "sec-websocket-extensions") {
            let name = String(value.prefix(while: { $0 != ";" }).trimmingASCIIWhitespace())
            guard self.offeredCompression, name.lowercased() == PerMessageDeflate.name else {
                throw ConnectionError(.handshake, "the server accepted extension '\(name)', which was not offered")
            }
            guard compression == nil else {
                throw ConnectionError(.handshake, "the server accepted permessage-deflate twice")
            }
            compression = try PerMessageDeflate(answer: value)
        }
        return Agreement(subprotocol: subprotocol, compression: compression)
    }
}
