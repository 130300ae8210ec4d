import NIOCore
import WSCCore

/// How the upgrade request ended: switched to WebSocket, or refused with an HTTP answer.
enum UpgradeOutcome: Sendable {
    /// The server switched protocols and every check passed.
    case upgraded
    /// The server answered with another status; the future completes with its answer.
    case refused(EventLoopFuture<UpgradeRejection>)
}
