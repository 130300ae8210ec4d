/// The client's side of a SOCKS5 handshake (RFC 1928), with username/password (RFC 1929).
///
/// A pure value with no I/O: `start()` gives the greeting to send, and each chunk of the
/// proxy's answer, passed to `received(_:)`, says what to do next. The tunnel stands once
/// the proxy has answered the `CONNECT` request with success.
public struct SOCKS5Negotiation: Sendable {
    /// Where the tunnel should lead: an address, or a name the proxy resolves (`socks5h`).
    public enum Destination: Hashable, Sendable {
        /// Four bytes of an IPv4 address.
        case ipv4([UInt8])
        /// Sixteen bytes of an IPv6 address.
        case ipv6([UInt8])
        /// A host name, resolved by the proxy.
        case domain(String)
    }

    /// What to do after the proxy's bytes came in.
    public enum Action: Hashable, Sendable {
        /// Send these bytes to the proxy, then wait for its answer.
        case send([UInt8])
        /// The proxy's answer is not complete yet: read more.
        case wait
        /// The tunnel stands; bytes read past the proxy's answer belong to the server.
        case established(leftover: [UInt8])
        /// The proxy refused or misbehaved: give up with this reason.
        case fail(String)
    }

    private enum State: Hashable, Sendable {
        case idle
        case awaitingMethod
        case awaitingAuthentication
        case awaitingReply
        case established
        case failed
    }

    private let destination: Destination
    private let port: UInt16
    private let credentials: (user: [UInt8], password: [UInt8])?
    private var state = State.idle
    private var buffer: [UInt8] = []

    private static let version: UInt8 = 5
    private static let noAuthentication: UInt8 = 0x00
    private static let usernamePassword: UInt8 = 0x02
    private static let noAcceptableMethod: UInt8 = 0xFF

    /// Prepares a handshake for a tunnel to `destination:port`.
    ///
    /// Throws when a field cannot be encoded: a name longer than 255 bytes, a user name or
    /// password that is empty or longer than 255 bytes (RFC 1929).
    public init(destination: Destination, port: Int, user: String? = nil, password: String? = nil) throws(URLError) {
        switch destination {
        case .ipv4(let bytes):
            precondition(bytes.count == 4, "an IPv4 address is 4 bytes")
        case .ipv6(let bytes):
            precondition(bytes.count == 16, "an IPv6 address is 16 bytes")
        case .domain(let name):
            guard (1...255).contains(name.utf8.count) else {
                throw URLError("a SOCKS5 proxy takes host names of 1 to 255 bytes, not \(name.utf8.count)")
            }
        }
        guard (0...65535).contains(port) else {
            throw URLError("port \(port) is out of range")
        }
        self.destination = destination
        self.port = UInt16(port)
        if let user {
            let userBytes = Array(user.utf8)
            let passwordBytes = Array((password ?? "").utf8)
            guard (1...255).contains(userBytes.count), (1...255).contains(passwordBytes.count) else {
                throw URLError("a SOCKS5 proxy takes a user name and a password of 1 to 255 bytes each")
            }
            self.credentials = (userBytes, passwordBytes)
        } else {
            self.credentials = nil
        }
    }

    /// The greeting that opens the handshake: the authentication methods offered.
    ///
    /// With credentials both username/password and none are offered, as curl does.
    public mutating func start() -> [UInt8] {
        guard case .idle = self.state else {
            preconditionFailure("the SOCKS5 handshake starts once")
        }
        self.state = .awaitingMethod
        let methods =
            self.credentials == nil ? [Self.noAuthentication] : [Self.noAuthentication, Self.usernamePassword]
        return [Self.version, UInt8(methods.count)] + methods
    }

    /// The proxy sent these bytes.
    public mutating func received(_ bytes: some Collection<UInt8>) -> Action {
        self.buffer.append(contentsOf: bytes)
        switch self.state {
        case .idle:
            preconditionFailure("the proxy spoke before the greeting was sent")
        case .awaitingMethod:
            return self.methodSelected()
        case .awaitingAuthentication:
            return self.authenticationAnswered()
        case .awaitingReply:
            return self.replied()
        case .established, .failed:
            preconditionFailure("the SOCKS5 handshake is over")
        }
    }

    /// The answer to the greeting: `VER METHOD`.
    private mutating func methodSelected() -> Action {
        guard self.buffer.count >= 2 else {
            return .wait
        }
        let (version, method) = (self.buffer[0], self.buffer[1])
        self.buffer.removeFirst(2)
        guard version == Self.version else {
            return self.fail("it does not speak SOCKS5 (version \(version) in its answer)")
        }
        switch method {
        case Self.noAuthentication:
            return self.request()
        case Self.usernamePassword where self.credentials != nil:
            guard let (user, password) = self.credentials else {
                preconditionFailure("checked above")
            }
            self.state = .awaitingAuthentication
            return .send([1, UInt8(user.count)] + user + [UInt8(password.count)] + password)
        case Self.noAcceptableMethod where self.credentials == nil:
            return self.fail("it requires authentication (give user:pass@ in the proxy URL)")
        case Self.noAcceptableMethod:
            return self.fail("it accepts neither username/password nor no authentication")
        default:
            return self.fail("it chose authentication method \(method), which was not offered")
        }
    }

    /// The answer to username/password: `VER STATUS` (RFC 1929).
    private mutating func authenticationAnswered() -> Action {
        guard self.buffer.count >= 2 else {
            return .wait
        }
        let status = self.buffer[1]
        self.buffer.removeFirst(2)
        guard status == 0 else {
            return self.fail("it refused the user name and password")
        }
        return self.request()
    }

    /// The `CONNECT` request for the destination.
    private mutating func request() -> Action {
        self.state = .awaitingReply
        var bytes: [UInt8] = [Self.version, 0x01, 0x00]
        switch self.destination {
        case .ipv4(let address):
            bytes += [0x01] + address
        case .ipv6(let address):
            bytes += [0x04] + address
        case .domain(let name):
            bytes += [0x03, UInt8(name.utf8.count)] + Array(name.utf8)
        }
        bytes += [UInt8(self.port >> 8), UInt8(self.port & 0xFF)]
        return .send(bytes)
    }

    /// The answer to `CONNECT`: `VER REP RSV ATYP BND.ADDR BND.PORT`.
    private mutating func replied() -> Action {
        guard self.buffer.count >= 5 else {
            return .wait
        }
        guard self.buffer[0] == Self.version else {
            return self.fail("it does not speak SOCKS5 (version \(self.buffer[0]) in its reply)")
        }
        let reply = self.buffer[1]
        guard reply == 0 else {
            return self.fail("it answered: " + Self.describe(reply: reply))
        }
        let addressLength: Int
        switch self.buffer[3] {
        case 0x01: addressLength = 4
        case 0x04: addressLength = 16
        case 0x03: addressLength = 1 + Int(self.buffer[4])
        case let type: return self.fail("its reply has an unknown address type \(type)")
        }
        let length = 4 + addressLength + 2
        guard self.buffer.count >= length else {
            return .wait
        }
        self.state = .established
        let leftover = Array(self.buffer[length...])
        self.buffer = []
        return .established(leftover: leftover)
    }

    private mutating func fail(_ reason: String) -> Action {
        self.state = .failed
        self.buffer = []
        return .fail(reason)
    }

    /// The reply codes of RFC 1928, in words.
    static func describe(reply: UInt8) -> String {
        switch reply {
        case 0x01: "general SOCKS server failure"
        case 0x02: "connection not allowed by its rules"
        case 0x03: "network unreachable"
        case 0x04: "host unreachable"
        case 0x05: "connection refused by the server"
        case 0x06: "TTL expired"
        case 0x07: "command not supported"
        case 0x08: "address type not supported"
        default: "reply code \(reply)"
        }
    }
}
