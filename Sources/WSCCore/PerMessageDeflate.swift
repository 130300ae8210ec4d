/// The permessage-deflate extension (RFC 7692): the parameters agreed, and how to agree on them.
///
/// A pure value. The client offers ``clientOffer`` and reads the server's answer with
/// ``init(answer:)``; a server picks an offer with ``accept(offers:)`` and answers with
/// ``description``. Compressing and decompressing are left to the networking layer.
public struct PerMessageDeflate: Hashable, Sendable, CustomStringConvertible {
    /// The extension's name in `Sec-WebSocket-Extensions`.
    public static let name = "permessage-deflate"

    /// What `wsc` offers as a client, as browsers do.
    ///
    /// Any server window, and the server may limit ours.
    public static let clientOffer = "permessage-deflate; client_max_window_bits"

    /// The server starts each message with an empty compression context.
    public var serverNoContextTakeover = false
    /// The client starts each message with an empty compression context.
    public var clientNoContextTakeover = false
    /// The largest LZ77 window the server compresses with, as a power of two (8 to 15).
    public var serverMaxWindowBits = 15
    /// The largest LZ77 window the client compresses with, as a power of two (8 to 15).
    public var clientMaxWindowBits = 15

    public init(
        serverNoContextTakeover: Bool = false,
        clientNoContextTakeover: Bool = false,
        serverMaxWindowBits: Int = 15,
        clientMaxWindowBits: Int = 15
    ) {
        self.serverNoContextTakeover = serverNoContextTakeover
        self.clientNoContextTakeover = clientNoContextTakeover
        self.serverMaxWindowBits = serverMaxWindowBits
        self.clientMaxWindowBits = clientMaxWindowBits
    }

    /// Reads the server's answer to ``clientOffer`` (one element of `Sec-WebSocket-Extensions`).
    ///
    /// RFC 7692 section 7.1: an unknown or repeated parameter, a window outside 8 to 15, or a
    /// value where none belongs fails the handshake.
    public init(answer: String) throws(ConnectionError) {
        func invalid(_ why: String) -> ConnectionError {
            ConnectionError(.handshake, "the server's permessage-deflate answer '\(answer)' is invalid: \(why)")
        }
        let (name, parameters) = Self.split(answer)
        guard name.lowercased() == Self.name else {
            throw invalid("it is not permessage-deflate")
        }
        var agreement = PerMessageDeflate()
        var seen: Set<String> = []
        for (key, value) in parameters {
            guard seen.insert(key).inserted else {
                throw invalid("\(key) is given twice")
            }
            switch key {
            case "server_no_context_takeover", "client_no_context_takeover":
                guard value == nil else {
                    throw invalid("\(key) takes no value")
                }
                if key == "server_no_context_takeover" {
                    agreement.serverNoContextTakeover = true
                } else {
                    agreement.clientNoContextTakeover = true
                }
            case "server_max_window_bits", "client_max_window_bits":
                guard let bits = value.flatMap(Self.windowBits) else {
                    throw invalid("\(key) takes a window of 8 to 15 bits")
                }
                if key == "server_max_window_bits" {
                    agreement.serverMaxWindowBits = bits
                } else {
                    agreement.clientMaxWindowBits = bits
                }
            default:
                throw invalid("unknown parameter \(key)")
            }
        }
        self = agreement
    }

    /// Picks the first offer a server can accept, as RFC 7692 section 5.1 has it; nil declines.
    ///
    /// `offers` are the elements of the client's `Sec-WebSocket-Extensions`. An offer with an
    /// unknown, repeated or invalid parameter is declined, and the next one is tried. The
    /// client's `client_max_window_bits` needs no answer: inflating with the largest window
    /// reads any smaller one.
    public static func accept(offers: [String]) -> PerMessageDeflate? {
        offers: for offer in offers {
            let (name, parameters) = Self.split(offer)
            guard name.lowercased() == Self.name else {
                continue
            }
            var agreement = PerMessageDeflate()
            var seen: Set<String> = []
            for (key, value) in parameters {
                guard seen.insert(key).inserted else {
                    continue offers
                }
                switch key {
                case "server_no_context_takeover":
                    guard value == nil else { continue offers }
                    agreement.serverNoContextTakeover = true
                case "client_no_context_takeover":
                    guard value == nil else { continue offers }
                    agreement.clientNoContextTakeover = true
                case "server_max_window_bits":
                    guard let bits = value.flatMap(Self.windowBits) else { continue offers }
                    agreement.serverMaxWindowBits = bits
                case "client_max_window_bits":
                    guard value == nil || value.flatMap(Self.windowBits) != nil else { continue offers }
                default:
                    continue offers
                }
            }
            return agreement
        }
        return nil
    }

    /// The agreement as a `Sec-WebSocket-Extensions` element.
    ///
    /// Only parameters that differ from the defaults: `permessage-deflate; server_no_context_takeover`.
    public var description: String {
        var text = Self.name
        if self.serverNoContextTakeover {
            text += "; server_no_context_takeover"
        }
        if self.clientNoContextTakeover {
            text += "; client_no_context_takeover"
        }
        if self.serverMaxWindowBits != 15 {
            text += "; server_max_window_bits=\(self.serverMaxWindowBits)"
        }
        if self.clientMaxWindowBits != 15 {
            text += "; client_max_window_bits=\(self.clientMaxWindowBits)"
        }
        return text
    }

    /// The window this end may compress with.
    public func sendWindowBits(as role: ConnectionRole) -> Int {
        switch role {
        case .client: self.clientMaxWindowBits
        case .server: self.serverMaxWindowBits
        }
    }

    /// Whether this end starts each message it sends with an empty context.
    public func resetsSendContext(as role: ConnectionRole) -> Bool {
        switch role {
        case .client: self.clientNoContextTakeover
        case .server: self.serverNoContextTakeover
        }
    }

    /// Whether the peer starts each message it sends with an empty context.
    public func resetsReceiveContext(as role: ConnectionRole) -> Bool {
        switch role {
        case .client: self.serverNoContextTakeover
        case .server: self.clientNoContextTakeover
        }
    }

    /// `permessage-deflate; a; b=1` → (`permessage-deflate`, [(`a`, nil), (`b`, `1`)]).
    ///
    /// Parameter names are lower-cased; a quoted value loses its quotes.
    static func split(_ element: String) -> (name: String, parameters: [(String, String?)]) {
        let parts = element.split(separator: ";", omittingEmptySubsequences: false).map {
            String($0.trimmingASCIIWhitespace())
        }
        let name = String(parts.first ?? "")
        let parameters = parts.dropFirst().map { part -> (String, String?) in
            guard let equals = part.firstIndex(of: "=") else {
                return (part.lowercased(), nil)
            }
            let key = String(part[..<equals].trimmingASCIIWhitespace()).lowercased()
            var value = String(part[part.index(after: equals)...].trimmingASCIIWhitespace())
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            return (key, value)
        }
        return (name, parameters)
    }

    /// A window size in bits, 8 to 15, written as digits only.
    private static func windowBits(_ text: String) -> Int? {
        guard !text.isEmpty, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber), let bits = Int(text),
            (8...15).contains(bits)
        else {
            return nil
        }
        return bits
    }
}
