import NIOCore
import NIOHTTP1
import NIOSSL
import NIOWebSocket

/// Reports errors that end a connection before its upgrade, and closes it.
///
/// Such errors are a failed TLS handshake, malformed HTTP, or a reset. The handler is removed once
/// the connection is upgraded.
///
/// The upgrade's own refusals are answered and reported by ``UpgradeRefusalHandler``, so
/// those errors pass by here. Malformed HTTP has had its 400 from NIO's error handler,
/// which does not close the connection: this does.
final class HandshakeFailureHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let report: @Sendable (String) -> Void
    private var reported = false

    init(report: @escaping @Sendable (String) -> Void) {
        self.report = report
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if error is NIOWebSocketUpgradeError {
            return
        }
        if let error = error as? HTTPParserError {
            self.reportOnce("answered 400: malformed HTTP request (\(error))")
            context.close(promise: nil)
            return
        }
        if let error = error as? NIOSSLError, case .uncleanShutdown = error {
            // A client that connected and left without a word: nothing to report.
            context.close(promise: nil)
            return
        }
        self.reportOnce("the connection failed before the upgrade: \(error)")
        context.close(promise: nil)
    }

    private func reportOnce(_ reason: String) {
        guard !self.reported else {
            return
        }
        self.reported = true
        self.report(reason)
    }
}
