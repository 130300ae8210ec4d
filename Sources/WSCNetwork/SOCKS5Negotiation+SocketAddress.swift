import NIOCore
import WSCCore

extension SOCKS5Negotiation.Destination {
    /// The destination for an IP address: its 4 or 16 bytes.
    init(_ address: SocketAddress) {
        switch address {
        case .v4(let address):
            var bytes = address.address.sin_addr
            self = .ipv4(withUnsafeBytes(of: &bytes) { Array($0) })
        case .v6(let address):
            var bytes = address.address.sin6_addr
            self = .ipv6(withUnsafeBytes(of: &bytes) { Array($0) })
        case .unixDomainSocket:
            preconditionFailure("a SOCKS5 destination is an IP address or a name")
        }
    }

    /// Where to ask a SOCKS5 proxy to connect for this URL.
    ///
    /// An IP literal goes as its bytes. A name goes as it is to a `socks5h://` proxy, and is
    /// resolved here first for a `socks5://` one.
    static func forURL(_ url: WebSocketURL, proxy: ProxySettings, on eventLoop: EventLoop) -> EventLoopFuture<Self> {
        if let literal = try? SocketAddress(ipAddress: url.host, port: url.port) {
            return eventLoop.makeSucceededFuture(Self(literal))
        }
        switch proxy.kind {
        case .socks5h:
            return eventLoop.makeSucceededFuture(.domain(url.host))
        case .socks5:
            return AddressResolution.resolve(host: url.host, port: url.port, family: nil, on: eventLoop).map {
                Self($0)
            }
        case .httpConnect:
            preconditionFailure("an HTTP proxy is asked by name")
        }
    }
}
