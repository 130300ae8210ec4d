/// The actions of ``SessionStateMachine``, one type per event: each lists only what its event
/// can lead to.
extension SessionStateMachine {
    /// Close the connection: the close frame's code and reason.
    public struct CloseOrder: Hashable, Sendable {
        public var code: CloseCode?
        public var reason: String
        /// At the prompt: when to say that the server has not answered yet; nil elsewhere.
        public var noticeAt: Instant?

        public init(code: CloseCode?, reason: String, noticeAt: Instant?) {
            self.code = code
            self.reason = reason
            self.noticeAt = noticeAt
        }
    }

    /// The session is over.
    public struct Finish: Hashable, Sendable {
        /// A close to show for a connection whose own close will not be awaited (it reports
        /// 1006: no close handshake).
        public var closeToReport: CloseInfo?
        /// What never found a connection: messages to report as not sent, files to close
        /// with a word each.
        public var notSent: [Outgoing]
        /// Whether the connection's end was not seen yet: abandon it, and report what it still
        /// gives back until it has ended.
        public var awaitsConnectionEnd: Bool

        public init(closeToReport: CloseInfo?, notSent: [Outgoing], awaitsConnectionEnd: Bool) {
            self.closeToReport = closeToReport
            self.notSent = notSent
            self.awaitsConnectionEnd = awaitsConnectionEnd
        }
    }

    /// How the wait after the end of input starts.
    public enum AfterInputStart: Hashable, Sendable {
        /// No wait: the server closes, or `--count`/`--expect` do.
        case none
        /// Look whether the connection is idle at this time.
        case checkIdle(at: Instant)
        /// Report when the connection has written everything handed to it (`-w`).
        case awaitWritten
    }

    /// After `connectionOpened(at:)`.
    public enum ConnectionOpenedAction: Hashable, Sendable {
        /// Show the open, let piped commands held for it go, and start the wait after input
        /// as said.
        case showAndReleaseHeldInput(AfterInputStart)
    }

    /// After `messageReceived(_:at:)`: the session acknowledges every message.
    public enum MessageReceivedAction: Hashable, Sendable {
        case show
        /// Not shown: `--count`/`--expect` was satisfied before it.
        case ignore
        /// Show it; it satisfied `--count`/`--expect`: close.
        case showAndClose(CloseOrder)
    }

    /// After `closeReceived(_:at:jitter:)`.
    public enum CloseReceivedAction: Hashable, Sendable {
        /// Show the close, and report the connection's end (what it still gives back comes before).
        case showAndAwaitEnd
        /// Show the close, say these messages were not sent, and report the connection's end.
        case showReportAndAwaitEnd([Message])
    }

    /// After `messagesGivenBack(_:)`.
    public enum MessagesGivenBackAction: Hashable, Sendable {
        /// Kept for the next connection.
        case keep
        /// Say these were not sent.
        case report([Message])
    }

    /// After `connectionEnded(at:)`.
    public enum ConnectionEndedAction: Hashable, Sendable {
        /// Show the coming attempt and arm its timer.
        case showAttemptAndWait(ReconnectAttempt, until: Instant)
        case finish(Finish)
    }

    /// After `attemptDue(at:)`.
    public enum AttemptDueAction: Hashable, Sendable {
        /// Connect, hand the new connection these, in order, and let input go on.
        case connect(sending: [Outgoing])
    }

    /// After `idleCheckDue(at:)`.
    public enum IdleCheckDueAction: Hashable, Sendable {
        /// Ask the connection whether it is busy, and report with `idleStatusChecked`.
        case checkStatus
        case checkAgain(at: Instant)
        /// No more checks for now: closing, or no connection is open (the next open arms one).
        case stop
    }

    /// After `idleStatusChecked(busy:lastTraffic:at:)`.
    public enum IdleStatusCheckedAction: Hashable, Sendable {
        case checkAgain(at: Instant)
        case close(CloseOrder)
        case stop
    }

    /// After `connectionWritten(at:)`.
    public enum ConnectionWrittenAction: Hashable, Sendable {
        case none
        /// Arm the close after input (`-w`) for this time.
        case armCloseAfterInput(at: Instant)
    }

    /// After a close was asked for, or a signal or the end of the wait led to one.
    public enum CloseRequestedAction: Hashable, Sendable {
        /// Nothing more: a close is under way already, or the end is awaited.
        case none
        /// Close the connection; arm the closing notice when the order says.
        case close(CloseOrder)
        case finish(Finish)
    }

    /// After `timeLimitReached(at:)`: both show the time limit's error first.
    public enum TimeLimitReachedAction: Hashable, Sendable {
        case showAndClose(CloseOrder)
        case showAndFinish(Finish)
    }

    /// After `closingNoticeDue()`.
    public enum ClosingNoticeDueAction: Hashable, Sendable {
        case none
        /// Say that the server has not answered the close yet.
        case sayNoAnswerYet
    }

    /// After `sendRequested()`.
    public enum SendRequestedAction: Hashable, Sendable {
        /// Hand it to the connection (which queues, writes or refuses it).
        case send
        /// Keep it for the next connection: call `keepForNextConnection(_:)`.
        case keep
        /// The session is over: report it as not sent.
        case refuse
    }

    /// After `pipedCommandRead()`.
    public enum PipedCommandReadAction: Hashable, Sendable {
        case run
        /// Hold it until the next open (or the end), then ask again: the lines before it wait too.
        case holdUntilOpen
        /// The session is over.
        case drop
    }

    /// After `roomRequested()`.
    public enum RoomRequestedAction: Hashable, Sendable {
        /// Await the connection's room to send.
        case awaitConnectionRoom
        /// Await the next connection.
        case awaitNextConnection
        case stopReading
    }

    /// After `controlFrameRequested()`.
    public enum ControlFrameRequestedAction: Hashable, Sendable {
        /// Hand it to the connection (which refuses it unless open).
        case send
        case refuse(String)
    }

    /// After `statusRequested()`.
    public enum StatusRequestedAction: Hashable, Sendable {
        /// Show the connection's status, and whether the session waits for a next attempt.
        case show(reconnecting: Bool)
    }

    /// After `interruptReceived(promptHasText:at:)`.
    public enum InterruptReceivedAction: Hashable, Sendable {
        /// The prompt had text: clear it, nothing else.
        case clearLine
        /// Close, quit or nothing, as a close request would.
        case ending(CloseRequestedAction)
    }
}
