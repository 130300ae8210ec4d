import NIOCore
import WSCCore
import WSCNetwork

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a session: one path for the client and for `--listen`.
///
/// Everything that happens to the session (its connections' events, signals, typed lines,
/// timers, standard output closing) is posted into one mailbox and handed to the target in
/// order on the main actor, with the time read once per item. The input pump and the timers
/// are child tasks of one task group, so nothing outlives the run; the pump's waits are
/// released by events, never polled.
@MainActor
final class SessionRunner<Event: Sendable> {
    /// What reaches the session, in one ordered mailbox.
    enum Input: Sendable {
        /// Posted by the target's connections.
        case target(Event)
        case timer(SessionTimers.Firing)
        case signal(CInt)
        case typed(String)
        case typedEndOfInput
        case terminalHungUp
        case outputClosed
        /// Lines for the user that came back from a connection (`/status`, `/clients`).
        case inform(String)
    }

    let options: SessionOptions
    let output: SessionOutput
    let timers = SessionTimers()
    private let mailbox: AsyncStream<Input>.Continuation
    private let inbox: AsyncStream<Input>
    /// The input pump's waits (for room, for the open, for a client, for the next connection).
    private var held: [ObjectIdentifier: HeldWait] = [:]

    init(options: SessionOptions) {
        self.options = options
        self.output = SessionOutput(style: options.style, ndjson: options.ndjson)
        (self.inbox, self.mailbox) = AsyncStream.makeStream(of: Input.self)
    }

    /// Something for the target, from any thread.
    nonisolated func post(_ event: Event) {
        self.mailbox.yield(.target(event))
    }

    /// Lines for the user, from any thread.
    nonisolated func inform(_ text: String) {
        self.mailbox.yield(.inform(text))
    }

    /// Runs `target` until it is done; returns the exit status.
    ///
    /// `signals` are the ones the session handles instead of their default action (a test
    /// passes none: a process it starts would inherit them ignored).
    func run<Target: SessionTarget>(
        _ target: Target,
        signals watched: [CInt] = [SIGINT, SIGTERM, SIGHUP]
    ) async -> ExitStatus where Target.Event == Event {
        let mailbox = self.mailbox
        // Signals first: one that comes while connecting still closes properly.
        let signals = watched.isEmpty ? nil : SignalWatcher(watched) { mailbox.yield(.signal($0)) }
        defer { signals?.cancel() }
        if let failed = await target.start(at: self.timers.now) {
            return failed
        }
        self.output.onClosed = { mailbox.yield(.outputClosed) }
        await withDiscardingTaskGroup { group in
            let timers = self.timers
            // Child tasks on the main actor, like everything else of the session: a task
            // started off it would wake a thread of the cooperative pool for nothing.
            let runTimers: @MainActor @Sendable () async -> Void = { await timers.run { mailbox.yield(.timer($0)) } }
            group.addTask(operation: runTimers)
            if let timeout = self.options.timeout {
                self.timers.arm(.timeLimit, at: self.timers.now + timeout)
            }
            for source in self.sources(for: target) {
                let runSource: @MainActor @Sendable () async -> Void = { await source.run(into: target, runner: self) }
                group.addTask(operation: runSource)
            }
            for await input in self.inbox {
                self.handle(input, target: target, at: self.timers.now)
                if target.isDone {
                    break
                }
            }
            self.releaseHeldInput()
            group.cancelAll()
        }
        self.output.flush()
        if self.output.writeFailure != nil {
            // The last flush counts too.
            target.outputClosed(failed: true, at: self.timers.now)
        }
        self.output.editor?.stop()
        guard let status = target.exitStatus else {
            preconditionFailure("the run ends with the session")
        }
        return status
    }

    private func handle<Target: SessionTarget>(
        _ input: Input,
        target: Target,
        at now: Duration
    ) where Target.Event == Event {
        switch input {
        case .target(let event):
            target.received(event, at: now)
        case .timer(let firing):
            if self.timers.isCurrent(firing) {
                target.timerFired(firing.timer, at: now)
            }
        case .signal(SIGINT):
            target.interrupted(promptHasText: self.output.editor?.hasText ?? false, at: now)
        case .signal(SIGTERM):
            target.terminated(at: now)
        case .signal, .terminalHungUp:
            target.hungUp(at: now)
        case .typed(let line):
            target.typed(line, at: now)
        case .typedEndOfInput:
            target.typedEndOfInput(at: now)
        case .outputClosed:
            target.outputClosed(failed: self.output.writeFailure != nil, at: now)
        case .inform(let text):
            self.output.inform(text)
        }
    }

    /// The sources of input the options name: the prompt; or the command line's sends, and
    /// standard input unless they replace it.
    private func sources<Target: SessionTarget>(for target: Target) -> [any InputSource] {
        if self.options.interactive {
            return [PromptSource()]
        }
        let commandLine = !self.options.commandLineSends.isEmpty || self.options.echoesUntilClosed
        guard commandLine else {
            return [StandardInputSource(options: self.options)]
        }
        return [CommandLineSource()]
            + (target.readsInputWithCommandLineSends ? [StandardInputSource(options: self.options)] : [])
    }

    /// A line typed at the prompt, from the line editor.
    nonisolated func post(typed line: String) {
        self.mailbox.yield(.typed(line))
    }

    /// Ctrl-D on an empty prompt.
    nonisolated func postEndOfTyping() {
        self.mailbox.yield(.typedEndOfInput)
    }

    /// The terminal went away under the prompt.
    nonisolated func postHangUp() {
        self.mailbox.yield(.terminalHungUp)
    }

    /// Suspends an input source until `future` completes (true) or the session lets it go
    /// (false): the pump then asks its target again.
    func hold(until future: EventLoopFuture<Void>?) async -> Bool {
        let wait = HeldWait()
        let key = ObjectIdentifier(wait)
        self.held[key] = wait
        future?.whenComplete { _ in wait.end(true) }
        let result = await wait.wait()
        self.held[key] = nil
        return result
    }

    /// Lets every wait of the input sources go.
    func releaseHeldInput() {
        let held = self.held
        self.held = [:]
        for wait in held.values {
            wait.end(false)
        }
    }
}
