import NIOCore
import WSCCore

extension WebSocketConnectionHandler {
    /// Starts the keepalive pings once the connection is open (with `--ping-interval`).
    func startKeepalive() {
        guard let settings = self.settings.keepalive else {
            return
        }
        self.keepalive = Keepalive(interval: settings.interval, timeout: settings.timeout)
        self.scheduleKeepaliveInterval()
    }

    /// Cancels the keepalive timers (the connection is over).
    func stopKeepalive() {
        self.keepaliveIntervalTimer?.cancel()
        self.keepaliveTimeoutTimer?.cancel()
        self.keepaliveIntervalTimer = nil
        self.keepaliveTimeoutTimer = nil
        self.keepalive = nil
    }

    private func scheduleKeepaliveInterval() {
        guard let interval = self.keepalive?.interval else {
            return
        }
        self.keepaliveIntervalTimer = self.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(interval)) {
            self.keepaliveIntervalElapsed()
        }
    }

    private func keepaliveIntervalElapsed() {
        switch self.state.keepaliveTimerFired() {
        case .none:
            return
        case .runKeepalive:
            break
        }
        guard var keepalive = self.keepalive else {
            return
        }
        let action = keepalive.intervalElapsed()
        self.keepalive = keepalive
        self.runKeepalive(action)
        self.scheduleKeepaliveInterval()
    }

    private func keepaliveTimeoutElapsed(forPing id: Int) {
        switch self.state.keepaliveTimerFired() {
        case .none:
            return
        case .runKeepalive:
            break
        }
        guard let keepalive = self.keepalive else {
            return
        }
        self.runKeepalive(keepalive.timeoutElapsed(forPing: id))
    }

    private func runKeepalive(_ action: Keepalive.Action) {
        switch action {
        case .none:
            break
        case .sendPing(let id, let payload):
            self.sendControl(.ping, payload: payload)
            guard let timeout = self.keepalive?.timeout else {
                return
            }
            self.keepaliveTimeoutTimer = self.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeout)) {
                self.keepaliveTimeoutElapsed(forPing: id)
            }
        case .timedOut:
            let timeout = self.keepalive?.timeout.secondsText ?? "the timeout"
            let error = ConnectionError(
                .timeout,
                "no pong within \(timeout) of a keepalive ping: the peer is not answering"
            )
            self.stopKeepalive()
            self.run(self.state.keepaliveTimedOut(error))
        }
    }
}
