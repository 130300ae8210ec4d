/// The life of a client session, decided as a pure value.
///
/// Connections one after another (`--reconnect`), the outbox that waits for the next one, the
/// wait after the end of input, `--count`/`--expect`, the time limit, signals and the exit
/// status. Each method is named for what happened, takes the time, and returns an action made
/// for that event; the session carries the actions out and never looks at the state.
///
/// States, as the tests name them: connecting (C), open (O), closing after the open (Ko) or
/// before it (Kc), closed and awaiting the connection's end, asked for (Kr) or by itself (Ku),
/// down (between connections, `--reconnect`) awaiting the end (De), awaiting it after a close
/// request (Dq) or waiting for the next attempt (Dw), and finished (F).
public struct SessionStateMachine {
    /// A time: how long after the session's start (a fixed origin the session keeps).
    ///
    /// A `Duration`, not a `ContinuousClock.Instant`: the standard library's instant is not
    /// frozen, so a value holding one is copied and switched over through run-time
    /// metadata, which cost a fifth of the time per received message.
    public typealias Instant = Duration

    /// Something to send on a connection that is not there yet.
    ///
    /// A file is kept by the session and named here by its number: the machine stays a plain
    /// value that knows nothing of open files.
    public enum Outgoing: Hashable, Sendable {
        case message(Message)
        case file(number: Int)
    }

    enum State {
        /// A connection is being made (the first one, or the next after `down`).
        case connecting(Connection)
        case open(Connection, openedAt: Instant)
        /// The session ends with this connection: it closes, or it closed and its end is awaited.
        case closing(Closing)
        /// The last connection ended and another will be tried: sends wait in the outbox.
        case down(Down)
        /// Over, with this status (before what was lost is counted).
        case finished(ExitStatus)
    }

    struct Connection {
        /// An error other than the user's own that came before the open.
        var failure: ConnectionError?
        /// Messages the connection gave back before its close (kept for the next one).
        var givenBack: [Message] = []
    }

    struct Closing {
        var connection: Connection
        /// A close was asked for (by the user, a signal, the limit, the end of input).
        var requested: Bool
        /// Whether the connection opened.
        var wasOpen: Bool
        /// Whether its close event came: then only its end is awaited.
        var closed: Bool
    }

    struct Down {
        var outbox: [Outgoing]
        /// How many messages at the head of the outbox the last connection gave back.
        var givenBackCount: Int
        var attempt: ReconnectAttempt
        var phase: Phase

        enum Phase {
            /// The close came; the connection's end (what it still gives back) is awaited.
            case awaitingEnd(closeRequested: Bool)
            /// Waiting for the attempt's time.
            case waiting
        }
    }

    /// Where the wait after the end of input is.
    enum AfterInputPhase {
        /// Input has not ended.
        case reading
        /// Input ended before a connection was open: the wait starts at the next open.
        case pending
        /// Closing once idle: checks are armed while a connection is open.
        case idle(Duration)
        /// `-w`: waiting until everything was written, then this long.
        case untilWritten(Duration)
        /// `-w`: the close is armed.
        case closeArmed
        /// No wait: the server closes, or `--count`/`--expect` do, or the wait has run.
        case over
    }

    var state: State
    let interactive: Bool
    let afterInput: AfterInput
    var reconnection: Reconnection?
    var limit: ReceiveLimit?
    /// A status decided by a signal or the time limit: the first one stays.
    var override: ExitStatus?
    /// How the last connection ended: its close, and its failure before the open.
    var lastClose: CloseInfo?
    var lastFailure: ConnectionError?
    var inputNotSent = false
    var outputFailed = false
    /// Set once the terminal hung up: Ctrl-C then acts as in a pipe.
    var promptIsGone = false
    var lastActivity: Instant
    var input = AfterInputPhase.reading

    /// A session whose first connection is being made.
    public init(
        interactive: Bool,
        afterInput: AfterInput,
        reconnection: Reconnection?,
        limit: ReceiveLimit?,
        now: Instant
    ) {
        self.state = .connecting(Connection())
        self.interactive = interactive
        self.afterInput = afterInput
        self.reconnection = reconnection
        self.limit = limit
        self.lastActivity = now
    }

    /// Once finished, the exit status, with lost input and a failed standard output counted.
    public var exitStatus: ExitStatus? {
        guard case .finished(let status) = self.state else {
            return nil
        }
        return status.counting(outputFailed: self.outputFailed, inputNotSent: self.inputNotSent)
    }

    // MARK: The steps every ending goes through

    /// A close was asked for.
    mutating func requestClose(_ code: CloseCode?, _ reason: String, at now: Instant) -> CloseRequestedAction {
        switch self.state {
        case .connecting(let connection):
            self.state = .closing(Closing(connection: connection, requested: true, wasOpen: false, closed: false))
            return .close(CloseOrder(code: code, reason: reason, noticeAt: nil))
        case .open(let connection, _):
            self.state = .closing(Closing(connection: connection, requested: true, wasOpen: true, closed: false))
            let noticeAt = self.promptIsUp ? now + .seconds(1) : nil
            return .close(CloseOrder(code: code, reason: reason, noticeAt: noticeAt))
        case .closing(var closing):
            closing.requested = true
            self.state = .closing(closing)
            return .none
        case .down(var down):
            switch down.phase {
            case .awaitingEnd:
                down.phase = .awaitingEnd(closeRequested: true)
                self.state = .down(down)
                return .none
            case .waiting:
                return .finish(self.finish(notSent: down.outbox, closeToReport: nil))
            }
        case .finished:
            return .none
        }
    }

    /// Leaves now, without waiting for the close handshake (a second Ctrl-C, the time limit
    /// while not open); the override is set.
    mutating func quit() -> Finish {
        switch self.state {
        case .connecting, .open:
            return self.finish(notSent: [], closeToReport: .abnormal(initiator: .user))
        case .closing(let closing):
            return self.finish(notSent: [], closeToReport: closing.closed ? nil : .abnormal(initiator: .user))
        case .down(let down):
            return self.finish(notSent: down.outbox, closeToReport: nil)
        case .finished:
            preconditionFailure("nothing reaches a session after its end")
        }
    }

    /// The session is over: the status is the override's, or the last connection's.
    mutating func finish(notSent: [Outgoing], closeToReport: CloseInfo?, endSeen: Bool = false) -> Finish {
        let awaitsEnd: Bool
        switch self.state {
        case .connecting, .open, .closing:
            awaitsEnd = !endSeen
        case .down(let down):
            switch down.phase {
            case .awaitingEnd: awaitsEnd = !endSeen
            case .waiting: awaitsEnd = false
            }
        case .finished:
            preconditionFailure("a session finishes once")
        }
        let status: ExitStatus =
            if let override {
                override
            } else if let lastFailure {
                ExitStatus(failedWith: lastFailure)
            } else {
                self.lastClose.map(ExitStatus.init(closedWith:)) ?? .closedAbnormally
            }
        if !notSent.isEmpty {
            self.inputNotSent = true
        }
        self.state = .finished(status)
        self.input = .over
        return Finish(closeToReport: closeToReport, notSent: notSent, awaitsConnectionEnd: awaitsEnd)
    }
}
