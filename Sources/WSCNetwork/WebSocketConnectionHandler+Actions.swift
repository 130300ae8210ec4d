import NIOCore
import WSCCore

/// Carrying out what the state machine decided, one `run` per kind of action.
extension WebSocketConnectionHandler {
    func run(_ action: ConnectionStateMachine.ConnectFailedAction) {
        switch action {
        case .none:
            break
        case .fireClose(let info):
            self.emit(.close(info))
        case .fireErrorAndClose(let error, let info):
            self.emit(.error(error))
            self.emit(.close(info))
        }
    }

    func run(_ action: ConnectionStateMachine.CloseRequestedAction) {
        switch action {
        case .none:
            break
        case .closeChannel:
            // Given up before the open: what waited for it is said now, not when TCP ends.
            self.discardQueued()
            self.channel?.close(promise: nil)
        case .sendClose(let code, let reason):
            self.writeClose(code: code, reason: reason)
        }
    }

    func run(_ action: ConnectionStateMachine.CloseFrameReceivedAction) {
        switch action {
        case .none:
            break
        case .sendClose(let code, let reason):
            self.writeClose(code: code, reason: reason)
        case .answerCloseAndCloseChannel(let code):
            self.writeClose(code: code, reason: "", thenCloseChannel: true)
        case .closeChannel:
            self.channel?.close(promise: nil)
        }
    }

    func run(_ action: ConnectionStateMachine.ProtocolViolatedAction) {
        switch action {
        case .none:
            break
        case .failConnection(let error, let code, let reason):
            self.emit(.error(error))
            self.writeClose(code: code, reason: reason)
        case .failConnectionAndCloseChannel(let error, let code, let reason):
            self.emit(.error(error))
            self.writeClose(code: code, reason: reason, thenCloseChannel: true)
        case .fireErrorAndCloseChannel(let error):
            self.emit(.error(error))
            self.channel?.close(promise: nil)
        }
    }

    func run(_ action: ConnectionStateMachine.KeepaliveTimedOutAction) {
        switch action {
        case .none:
            break
        case .failConnectionAndCloseChannel(let error, let code, let reason):
            self.emit(.error(error))
            self.writeClose(code: code, reason: reason, thenCloseChannel: true)
        }
    }

    func run(_ action: ConnectionStateMachine.CloseTimedOutAction) {
        switch action {
        case .none:
            break
        case .closeChannel:
            self.channel?.close(promise: nil)
        case .fireErrorAndCloseChannel(let error):
            self.emit(.error(error))
            self.channel?.close(promise: nil)
        }
    }

    func run(_ action: ConnectionStateMachine.ChannelClosedAction) {
        switch action {
        case .none:
            break
        case .fireClose(let info):
            self.emit(.close(info))
        case .fireErrorAndClose(let error, let info):
            self.emit(.error(error))
            self.emit(.close(info))
        }
    }

    /// Pauses or resumes reading the socket, as ``ReadPacing`` decided.
    func run(_ action: ReadPacing.Action) {
        guard let channel = self.channel else {
            return
        }
        switch action {
        case .none:
            break
        case .resumeReading:
            channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in
                channel.read()
            }
        case .pauseReading:
            channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
        }
    }

    /// Writes a close frame, then either closes TCP or waits for the peer.
    ///
    /// It closes TCP once the frame is written (a server answering), or gives the peer the close
    /// timeout to finish the handshake.
    func writeClose(code: CloseCode?, reason: String, thenCloseChannel: Bool = false) {
        guard let context = self.writeContext else {
            self.channel?.close(promise: nil)
            return
        }
        var payload: [UInt8] = []
        if let code {
            payload = [UInt8(code.rawValue >> 8), UInt8(code.rawValue & 0xFF)] + Array(reason.utf8)
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        self.writer.write(
            OutboundFrame(opcode: .connectionClose, payload: .bytes(payload)),
            context: context,
            promise: written
        )
        self.writer.flush(context: context)
        if thenCloseChannel {
            let channel = context.channel
            written.futureResult.whenComplete { _ in
                channel.close(promise: nil)
            }
            return
        }
        self.closeTimer = self.eventLoop.assumeIsolated().scheduleTask(in: .init(self.settings.closeTimeout)) {
            let error = ConnectionError(
                .timeout,
                "no answer to our close within \(self.settings.closeTimeout.secondsText) (--close-timeout): dropping the connection"
            )
            self.run(self.state.closeTimedOut(error))
        }
    }
}
