import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import NIOSSL
import WSCCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension ConnectionError {
    /// The error for a failed TCP connect (or TLS set-up), with the reason in words.
    init(connecting error: Error, to url: WebSocketURL) {
        if let error = error as? ConnectionError {
            self = error
            return
        }
        // With the port, also the default one: `ws://127.0.0.1` refused is about port 80.
        let target = url.hostAndPort
        switch error {
        case ChannelError.connectTimeout(let amount):
            self.init(.connect, "timed out after \(Duration(amount).secondsText) connecting to \(target)")
        case let error as NIOConnectionError:
            self.init(.connect, Self.describe(error, target: target, url: url))
        default:
            self.init(.connect, "could not connect to \(target): \(Self.describe(error))")
        }
    }

    /// The error for a proxy that did not open the tunnel; `answer` is its status line.
    init(proxying error: Error, through proxy: ProxySettings, answer: String?) {
        let reason: String
        if let error = error as? NIOHTTP1ProxyConnectHandler.Error, error == .proxyAuthenticationRequired() {
            let hint = proxy.user == nil ? "give user:pass@ in the proxy URL" : "the credentials given were refused"
            reason = "it asks for credentials (\(answer ?? "407 Proxy Authentication Required"); \(hint))"
        } else if let error = error as? NIOHTTP1ProxyConnectHandler.Error, error == .httpProxyHandshakeTimeout() {
            reason = "it did not answer CONNECT in time"
        } else if let answer {
            reason = "it answered \(answer)"
        } else {
            reason = Self.describe(error)
        }
        self.init(.connect, "the proxy \(proxy) did not open a tunnel: \(reason)")
    }

    /// The error for a failure between TCP connect and the end of the upgrade.
    ///
    /// `certificates` saw the TLS verification, if any, and explains a refused certificate.
    init(handshaking error: Error, to url: WebSocketURL, certificates: CertificateRecorder? = nil) {
        switch error {
        case let error as ConnectionError:
            self = error
        case is NIOSSLError, is NIOSSLExtraError, is BoringSSLError:
            let reason = (certificates ?? CertificateRecorder()).explain(error, host: url.host)
            self.init(.tls, "TLS handshake with \(url.hostHeader) failed: \(reason)")
        case let error as NIOHTTPClientUpgradeError where error == .upgraderDeniedUpgrade:
            self.init(.handshake, "the server's Sec-WebSocket-Accept does not match the key sent (or is missing)")
        case let error as NIOHTTPClientUpgradeError where error == .responseProtocolNotFound:
            self.init(.handshake, "the server answered 101 without 'Upgrade: websocket'")
        case is NIOHTTPClientUpgradeError:
            self.init(.handshake, "the server's answer to the upgrade request is not valid HTTP (\(error))")
        case is HTTPParserError:
            self.init(.handshake, "the server's answer to the upgrade request is not valid HTTP (\(error))")
        case ChannelError.inappropriateOperationForState, ChannelError.ioOnClosedChannel, ChannelError.eof:
            self.init(.handshake, "the server closed the connection before answering the upgrade")
        default:
            self.init(connecting: error, to: url)
        }
    }

    /// The first connection error inside NIO's error for a failed connect, or the error itself.
    static func firstConnectError(_ error: Error) -> Error {
        (error as? NIOConnectionError)?.connectionErrors.first?.error ?? error
    }

    private static func describe(_ error: NIOConnectionError, target: String, url: WebSocketURL) -> String {
        if let dnsError = error.dnsAAAAError ?? error.dnsAError, error.connectionErrors.isEmpty {
            let reason = (dnsError as? SocketAddressError.UnknownHost)?.errorDescription ?? "\(dnsError)"
            return "could not resolve \(url.host): \(reason)"
        }
        if let first = error.connectionErrors.first {
            return "could not connect to \(target): \(Self.describe(first.error))"
        }
        return "could not connect to \(target): no address found"
    }

    /// The reason an error gives, in words (an errno as its message).
    public static func describe(_ error: Error) -> String {
        if let error = error as? IOError {
            return String(cString: strerror(error.errnoCode))
        }
        if case NIOSSLError.handshakeFailed(let inner) = error {
            return "\(inner)"
        }
        return "\(error)"
    }
}

extension Duration {
    /// `10 s`, `1.5 s`: how long, for messages.
    var secondsText: String {
        let (seconds, attoseconds) = self.components
        let tenths = attoseconds / 100_000_000_000_000_000
        return tenths == 0 ? "\(seconds) s" : "\(seconds).\(tenths) s"
    }
}
