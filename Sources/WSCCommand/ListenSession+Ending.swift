import WSCCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a `--listen` session ends: `/quit`, the time limit, signals and hang-up.
extension ListenSession {
    /// Stops listening and closes every client with 1001.
    ///
    /// The session ends once all are closed. Asked a second time, it ends at once.
    func quit() {
        guard !self.quitting else {
            self.events?.finish()
            return
        }
        self.quitting = true
        _ = self.server?.close()
        let waiters = self.clientWaiters
        self.clientWaiters.removeAll()
        for waiter in waiters {
            waiter.resume()
        }
        guard !self.clients.isEmpty else {
            self.events?.finish()
            return
        }
        for connected in self.clients.values {
            connected.client.connection.close(code: .goingAway, reason: "")
        }
    }

    /// `--timeout`: when it runs out, stop and exit 124.
    func startTimeLimit(_ limit: Duration) {
        Task { @MainActor [weak self] in
            try? await Task.sleep(for: limit)
            guard let self, !self.quitting else {
                return
            }
            let (seconds, attoseconds) = limit.components
            let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
            self.show(
                .error(ConnectionError(.timeout, "timed out: --timeout of \(milliseconds) ms ran out")),
                client: nil
            )
            self.statusOverride = .timeout
            self.quit()
        }
    }

    func received(signal signalNumber: CInt) {
        switch signalNumber {
        case SIGINT:
            if let editor = self.output.editor, editor.hasText, !self.quitting {
                editor.clearLine()
                return
            }
            if self.output.editor == nil || self.quitting {
                self.statusOverride = self.statusOverride ?? .interrupted
            }
            self.quit()
        case SIGTERM:
            self.statusOverride = .terminated
            self.quit()
        default:
            self.terminalHungUp()
        }
    }

    func terminalHungUp() {
        self.output.stopPrompt()
        self.statusOverride = self.statusOverride ?? .hungUp
        self.quit()
    }
}
