import NIOCore
import WSCCore
import WSCNetwork
import WSCTerminal

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One run of the client: carries out what its ``SessionStateMachine`` decides.
///
/// A ``SessionRunner`` hands it everything that happens, in order, with the time. Its
/// concerns are in files of their own: the connection's events and the timers
/// (`+Connection`), the user's input and signals (`+Input`) and slash commands (`+Commands`).
@MainActor
final class ClientSession: SessionTarget {
    /// What the connections post.
    enum Event: Sendable {
        /// A batch of events of the connection with this number.
        case connection(Int, [ConnectionEvent])
        /// The connection with this number is over: nothing more comes from it.
        case ended(Int)
        /// The connection with this number wrote everything handed to it (`-w`).
        case written(Int)
        /// The connection's answer to the idle check.
        case idleStatus(Int, busy: Bool, lastTraffic: Duration)
    }

    static let role = ConnectionRole.client

    let configuration: ClientConfiguration
    let options: SessionOptions
    let runner: SessionRunner<Event>
    var machine: SessionStateMachine
    /// The current connection (with `--reconnect`, the latest of them), and its number.
    var connection: WebSocketConnection?
    var connectionNumber = 0
    /// Set after the end while what the connection still gives back is awaited.
    var draining = false
    /// Files kept for the next connection (`--reconnect`), by the number the machine knows them by.
    var keptFiles: [Int: OutgoingFile] = [:]
    var lastFileNumber = 0

    var output: SessionOutput { self.runner.output }
    var timers: SessionTimers { self.runner.timers }

    init(configuration: ClientConfiguration, options: SessionOptions) {
        self.configuration = configuration
        self.options = options
        self.runner = SessionRunner(options: options)
        self.machine = SessionStateMachine(
            interactive: options.interactive,
            afterInput: options.afterInput,
            reconnection: options.reconnection,
            limit: options.receiveLimit(),
            now: .zero
        )
    }

    /// Runs until the session is over; returns the exit status.
    func run() async -> ExitStatus {
        await self.runner.run(self)
    }

    /// Whether the session is over (what is still drained from the connection is only reported):
    /// set where its finish is carried out, and read per event without copying the machine.
    private(set) var isOver = false
    var isDone: Bool { self.isOver && !self.draining }
    var exitStatus: ExitStatus? { self.machine.exitStatus }
    var readsInputWithCommandLineSends: Bool { false }

    func start(at now: Duration) async -> ExitStatus? {
        self.connect(sending: [])
        return nil
    }

    func received(_ event: Event, at now: Duration) {
        switch event {
        case .connection(let number, let events):
            guard number == self.connectionNumber else {
                preconditionFailure("a connection starts once the one before it ended")
            }
            self.received(events, at: now)
        case .ended(let number):
            guard number == self.connectionNumber else {
                preconditionFailure("a connection starts once the one before it ended")
            }
            self.connectionEnded(at: now)
        case .written(let number):
            guard number == self.connectionNumber, !self.isOver else {
                return
            }
            if case .armCloseAfterInput(let deadline) = self.machine.connectionWritten(at: now) {
                self.timers.arm(.closeAfterInput, at: deadline)
            }
        case .idleStatus(let number, let busy, let lastTraffic):
            guard number == self.connectionNumber, !self.isOver else {
                return
            }
            switch self.machine.idleStatusChecked(busy: busy, lastTraffic: lastTraffic, at: now) {
            case .checkAgain(let deadline):
                self.timers.arm(.idleCheck, at: deadline)
            case .close(let order):
                self.close(order)
            case .stop:
                break
            }
        }
    }

    // MARK: Carrying out

    /// Closes the connection as ordered, and arms the closing notice when the order says.
    func close(_ order: SessionStateMachine.CloseOrder) {
        self.connection?.close(code: order.code, reason: order.reason)
        if let noticeAt = order.noticeAt {
            self.timers.arm(.closingNotice, at: noticeAt)
        }
    }

    func carryOut(_ action: SessionStateMachine.CloseRequestedAction) {
        switch action {
        case .none:
            break
        case .close(let order):
            self.close(order)
        case .finish(let finish):
            self.finish(finish)
        }
    }

    /// The session is over: shows what it decided to show, says what was not sent, lets the
    /// input pump go, and drains the connection when its end was not seen.
    func finish(_ finish: SessionStateMachine.Finish) {
        self.isOver = true
        for timer in [SessionTimers.Timer.timeLimit, .attempt, .idleCheck, .closeAfterInput, .closingNotice] {
            self.timers.disarm(timer)
        }
        if let close = finish.closeToReport {
            self.output.show(.close(close))
        }
        var messages: [Message] = []
        for item in finish.notSent {
            switch item {
            case .message(let message):
                messages.append(message)
            case .file(let number):
                if let file = self.keptFiles.removeValue(forKey: number) {
                    file.closeDescriptor()
                    self.complain("'\(file.name)' not sent: the session ended before a connection opened")
                }
            }
        }
        if !messages.isEmpty {
            self.output.show(.unsent(messages))
        }
        self.runner.releaseHeldInput()
        if finish.awaitsConnectionEnd, let connection = self.connection {
            // What the connection still holds is said before the end: it gives it back at
            // once when abandoned, and the round trip to its event loop comes after.
            self.draining = true
            connection.close()
            self.requestEnd(of: connection)
        }
    }

    /// Asks the connection to report its end once everything it emitted before is in.
    func requestEnd(of connection: WebSocketConnection) {
        let number = self.connectionNumber
        let runner = self.runner
        connection.status().whenComplete { _ in runner.post(.ended(number)) }
    }

    /// An input error: shown, nothing sent.
    func complain(_ message: String) {
        self.output.show(.error(ConnectionError(.input, message)))
    }

    func recordNotSent() {
        self.machine.recordNotSent()
    }
}
