import NIOCore
import NIOPosix
import WSCCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds the address to connect to, or to give a `socks5://` proxy.
///
/// It is used when the family is forced (`-4`, `-6`, `--bind`) and for `socks5://`. Otherwise NIO's own resolver (happy eyeballs over both families) is used instead.
enum AddressResolution {
    /// The first address of `host` in this family (nil: either).
    ///
    /// An IP literal is taken as it is; a name goes through `getaddrinfo` on NIO's thread pool.
    static func resolve(
        host: String,
        port: Int,
        family: AddressFamily?,
        on eventLoop: EventLoop
    ) -> EventLoopFuture<SocketAddress> {
        if let literal = try? SocketAddress(ipAddress: host, port: port) {
            if let family, AddressFamily(of: literal) != family {
                return eventLoop.makeFailedFuture(ConnectionError(.connect, "\(host) is not an \(family.name) address"))
            }
            return eventLoop.makeSucceededFuture(literal)
        }
        return NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) {
            try Self.lookUp(host: host, port: port, family: family)
        }
    }

    private static func lookUp(host: String, port: Int, family: AddressFamily?) throws -> SocketAddress {
        var hints = addrinfo()
        switch family {
        case .ipv4: hints.ai_family = AF_INET
        case .ipv6: hints.ai_family = AF_INET6
        case nil: hints.ai_family = AF_UNSPEC
        }
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &results)
        defer {
            if let results {
                freeaddrinfo(results)
            }
        }
        guard status == 0, let first = results, let address = first.pointee.ai_addr else {
            guard let family else {
                throw ConnectionError(.connect, "could not resolve \(host): \(String(cString: gai_strerror(status)))")
            }
            throw ConnectionError(.connect, "cannot resolve \(host) to an \(family.name) address")
        }
        if first.pointee.ai_family == AF_INET6 {
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                SocketAddress($0.pointee, host: host)
            }
        }
        return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { SocketAddress($0.pointee, host: host) }
    }
}

/// IPv4 or IPv6 (`-4`, `-6`).
public enum AddressFamily: Hashable, Sendable {
    case ipv4
    case ipv6

    /// `IPv4` or `IPv6`.
    var name: String {
        switch self {
        case .ipv4: "IPv4"
        case .ipv6: "IPv6"
        }
    }

    /// The family of an IP address.
    init?(of address: SocketAddress) {
        switch address {
        case .v4: self = .ipv4
        case .v6: self = .ipv6
        case .unixDomainSocket: return nil
        }
    }
}
