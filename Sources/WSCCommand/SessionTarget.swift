import NIOCore
import WSCCore
import WSCNetwork

/// What a ``SessionRunner`` runs: the client (one connection at a time) or `--listen` (every
/// client of the server). Each carries out its own state machine's actions; the runner owns
/// what both share (the mailbox, signals, the prompt, the input pump, the timers).
@MainActor
protocol SessionTarget: AnyObject, Sendable {
    /// What the target's connections post into the mailbox.
    associatedtype Event: Sendable

    /// The prompt's role (its commands and completion).
    static var role: ConnectionRole { get }

    /// Whether the run is over: the loop stops.
    var isDone: Bool { get }
    /// The exit status, once the session is over.
    var exitStatus: ExitStatus? { get }
    /// Whether the pump reads standard input when the command line has sends of its own.
    var readsInputWithCommandLineSends: Bool { get }

    /// Connects or starts listening; a status when that cannot start at all.
    func start(at now: Duration) async -> ExitStatus?
    /// Hands over the command line's sends (`-x`, `--json`, `--file`), when there are any.
    func sendCommandLine(at now: Duration)

    /// Something the target's connections posted.
    func received(_ event: Event, at now: Duration)
    func timerFired(_ timer: SessionTimers.Timer, at now: Duration)
    func interrupted(promptHasText: Bool, at now: Duration)
    func terminated(at now: Duration)
    func hungUp(at now: Duration)
    func typed(_ line: String, at now: Duration)
    func typedEndOfInput(at now: Duration)
    func outputClosed(failed: Bool, at now: Duration)

    // The input pump, a batch of standard input at a time.

    /// A batch arrived; false stops reading (the session is over).
    func inputArrived(at now: Duration) async -> Bool
    func send(binary payloads: consuming [ByteBuffer])
    func send(contentsOf messages: [Message])
    /// A piped line, with slash commands on; false stops reading.
    func pipedLine(_ line: String) async -> Bool
    /// Awaits room to send more; false stops reading.
    func roomForMoreInput() async -> Bool
    func inputEnded(at now: Duration)
    /// A record of input was not sent (too long, not UTF-8): the exit status says so.
    func recordNotSent()
}
