import NIOCore
import NIOHTTP1
import NIOSSL
import NIOWebSocket

/// Reports errors that end a connection before its upgrade (a failed TLS handshake, a
/// reset), and closes it; removed once the connection is upgraded.
///
/// The upgrade's own refusals are answered by ``UpgradeRefusalHandler``, and malformed
/// HTTP by NIO's error handler (400), so those errors pass by here unreported.
final class HandshakeFailureHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let report: @Sendable (String) -> Void
    private var reported = false

    init(report: @escaping @Sendable (String) -> Void) {
        self.report = report
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if error is NIOWebSocketUpgradeError || error is HTTPParserError {
            return
        }
        if let error = error as? NIOSSLError, case .uncleanShutdown = error {
            // A client that connected and left without a word: nothing to report.
            context.close(promise: nil)
            return
        }
        if !self.reported {
            self.reported = true
            self.report("\(error)")
        }
        context.close(promise: nil)
    }
}
