/// The actions of ``ConnectionStateMachine``, one type per event: each lists only what
/// its event can lead to, so that the caller handles every case and no impossible one.
extension ConnectionStateMachine {
    /// After `channelConnected()`.
    public enum ChannelConnectedAction: Hashable, Sendable {
        /// Nothing: the upgrade request goes next.
        case none
        /// The attempt is over already: close the TCP connection; `channelClosed()` follows.
        case closeChannel
    }

    /// After `redirectReceived()`.
    public enum RedirectReceivedAction: Hashable, Sendable {
        /// Nothing: the attempt is over already.
        case none
        /// Drop this TCP connection and try the redirect's URL.
        case followRedirect
    }

    /// After `upgradeSucceeded()`.
    public enum UpgradeSucceededAction: Hashable, Sendable {
        /// Set up what the handshake agreed (compression); writes wait for the completion.
        case awaitCompletion
        /// The user gave up meanwhile: close the TCP connection; `channelClosed()` follows.
        case closeChannel
    }

    /// After `upgradeCompleted()`.
    public enum UpgradeCompletedAction: Hashable, Sendable {
        /// Nothing: TCP is being closed already.
        case none
        /// Emit the `open` event, send what was queued and start the keepalive pings.
        case fireOpen
    }

    /// After `connectFailed(_:)`.
    public enum ConnectFailedAction: Hashable, Sendable {
        /// Nothing: the connection was over already.
        case none
        /// Emit the `close` event: the user had given up, so there is no error to report.
        case fireClose(CloseInfo)
        /// Emit this `error` and then the `close` event.
        case fireErrorAndClose(ConnectionError, CloseInfo)
    }

    /// After `sendRequested()`.
    public enum SendRequestedAction: Hashable, Sendable {
        /// Send this data message now.
        case sendMessage
        /// Hold this data message until the connection opens (or, with `givesBackUnsent`,
        /// until TCP ends and what is queued goes back).
        case queueMessage
        /// Refuse this data message: emit an `error` event saying why.
        case refuseMessage(ConnectionError)
        /// Hand this data message back in an `unsent` event, for the next connection; a
        /// file, which is not kept, is refused with this error.
        case giveBackMessage(ConnectionError)
    }

    /// After `controlFrameRequested()`.
    public enum ControlFrameRequestedAction: Hashable, Sendable {
        /// Send the ping or pong now.
        case sendFrame
        /// Refuse it: emit an `error` event saying why.
        case refuseFrame(ConnectionError)
    }

    /// After `fileChunkRead()`.
    public enum FileChunkReadAction: Hashable, Sendable {
        /// Write the chunk.
        case writeChunk
        /// The connection is no longer open: stop streaming and say so.
        case stopStreaming
    }

    /// After `fileStreamEnded()`.
    public enum FileStreamEndedAction: Hashable, Sendable {
        /// Nothing: the connection is closing, and what waited goes back or is dropped at its end.
        case none
        /// Send what waited behind the file.
        case sendQueued
    }

    /// After `keepaliveTimerFired()`.
    public enum KeepaliveTimerFiredAction: Hashable, Sendable {
        /// Nothing: the connection is closing.
        case none
        /// Let the keepalive decide (send the next ping, or give up on the last).
        case runKeepalive
    }

    /// After `transportFailed(_:)`.
    public enum TransportFailedAction: Hashable, Sendable {
        /// Close the TCP connection without another error; `channelClosed()` follows.
        case closeChannel
        /// Emit this `error`, then close the TCP connection; `channelClosed()` follows.
        case fireErrorAndCloseChannel(ConnectionError)
    }

    /// After `closeRequested(code:reason:)`.
    public enum CloseRequestedAction: Hashable, Sendable {
        /// Nothing: a close is under way or done.
        case none
        /// The connection is still opening: close the TCP connection; `channelClosed()` follows.
        case closeChannel
        /// Send a close frame (no payload when `code` is nil) and start the close timer.
        case sendClose(code: CloseCode?, reason: String)
    }

    /// After `dataFrameReceived()`.
    public enum DataFrameReceivedAction: Hashable, Sendable {
        /// Take the frame into the message being assembled.
        case assembleFrame
        /// Pass over the frame: the connection is no longer open for it (we failed it, or
        /// the peer closed).
        case ignoreFrame
    }

    /// After `messageReceived()`.
    public enum MessageReceivedAction: Hashable, Sendable {
        /// Emit the message that arrived.
        case deliverMessage
        /// Emit the message that arrived and send it back (`--echo`).
        case deliverAndEchoMessage
        /// Drop the message that arrived: the connection is no longer open for it.
        case dropMessage
    }

    /// After `pingReceived()`.
    public enum PingReceivedAction: Hashable, Sendable {
        /// Nothing: the connection is closing.
        case none
        /// Answer the ping with a pong carrying the same payload.
        case sendPong
    }

    /// After `pongReceived()`.
    public enum PongReceivedAction: Hashable, Sendable {
        /// Emit the `pong` event.
        case emitPong
        /// Tell the keepalive a pong came, then emit the `pong` event.
        case matchKeepalive
    }

    /// After `closeFrameReceived(code:reason:)`.
    public enum CloseFrameReceivedAction: Hashable, Sendable {
        /// Nothing: a close frame arrived already.
        case none
        /// Answer with a close frame (a client's answer) and start the close timer.
        case sendClose(code: CloseCode?, reason: String)
        /// Answer the peer's close with this code, then close the TCP connection.
        ///
        /// The TCP connection is closed once the close frame is written (the server's part of
        /// the handshake); `channelClosed()` follows.
        case answerCloseAndCloseChannel(code: CloseCode?)
        /// The handshake is complete: close the TCP connection; `channelClosed()` follows.
        case closeChannel
    }

    /// After `protocolViolated(_:code:)`.
    public enum ProtocolViolatedAction: Hashable, Sendable {
        /// Nothing: the connection is over.
        case none
        /// Emit this `error`, send a close frame with this code and start the close timer.
        case failConnection(ConnectionError, code: CloseCode, reason: String)
        /// Emit this `error`, send a close frame with this code, then close the TCP connection.
        ///
        /// The TCP connection is closed once the frame is written (a server does not wait after
        /// failing); `channelClosed()` follows.
        case failConnectionAndCloseChannel(ConnectionError, code: CloseCode, reason: String)
        /// Emit this `error`, then close the TCP connection; `channelClosed()` follows.
        case fireErrorAndCloseChannel(ConnectionError)
    }

    /// After `keepaliveTimedOut(_:)`.
    public enum KeepaliveTimedOutAction: Hashable, Sendable {
        /// Nothing: the close handshake has its own timer.
        case none
        /// Emit this `error`, send a close frame with this code, then close the TCP connection.
        case failConnectionAndCloseChannel(ConnectionError, code: CloseCode, reason: String)
    }

    /// After `closeTimedOut(_:)`.
    public enum CloseTimedOutAction: Hashable, Sendable {
        /// Nothing: no close handshake is waiting.
        case none
        /// Both close frames went: end TCP ourselves, with no error; `channelClosed()` follows.
        case closeChannel
        /// Our close went unanswered: emit this `error`, then close the TCP connection.
        case fireErrorAndCloseChannel(ConnectionError)
    }

    /// After `channelClosed()`.
    public enum ChannelClosedAction: Hashable, Sendable {
        /// Nothing: the connection was over already.
        case none
        /// Emit the `close` event: the connection is over.
        case fireClose(CloseInfo)
        /// Emit this `error` and then the `close` event: the connection is over.
        case fireErrorAndClose(ConnectionError, CloseInfo)
    }
}
