/// The checks a client makes on the server's `101 Switching Protocols` answer.
///
/// Beyond the accept key: the subprotocol must be one we offered, and no extension we did not
/// offer.
public struct HandshakeValidation: Sendable {
    /// The subprotocols we offered.
    public var offeredSubprotocols: [String]
    /// The extension names we offered (e.g. `permessage-deflate`).
    public var offeredExtensions: [String]

    public init(offeredSubprotocols: [String], offeredExtensions: [String]) {
        self.offeredSubprotocols = offeredSubprotocols
        self.offeredExtensions = offeredExtensions
    }

    /// What the server agreed to.
    public struct Agreement: Hashable, Sendable {
        public var subprotocol: String?
        public var extensions: [String]

        public init(subprotocol: String?, extensions: [String]) {
            self.subprotocol = subprotocol
            self.extensions = extensions
        }
    }

    /// Checks the response headers; throws the handshake error to report.
    public func validate(responseHeaders: [HeaderField]) throws(ConnectionError) -> Agreement {
        let protocolValues = responseHeaders.values(of: "sec-websocket-protocol")
        guard protocolValues.count <= 1 else {
            throw ConnectionError(.handshake, "the server selected several subprotocols (\(protocolValues.joined(separator: ", ")))")
        }
        let subprotocol = protocolValues.first
        if let subprotocol, !self.offeredSubprotocols.contains(subprotocol) {
            let offered = self.offeredSubprotocols.isEmpty ? "none was offered" : "offered: \(self.offeredSubprotocols.joined(separator: ", "))"
            throw ConnectionError(.handshake, "the server selected subprotocol '\(subprotocol)', which was not offered (\(offered))")
        }
        let extensions = responseHeaders.values(of: "sec-websocket-extensions")
        for value in extensions {
            let name = String(value.prefix(while: { $0 != ";" }).trimmingASCIIWhitespace())
            guard self.offeredExtensions.contains(name) else {
                throw ConnectionError(.handshake, "the server accepted extension '\(name)', which was not offered")
            }
        }
        return Agreement(subprotocol: subprotocol, extensions: extensions)
    }
}
