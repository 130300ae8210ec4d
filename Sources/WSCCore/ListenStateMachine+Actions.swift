/// The actions of ``ListenStateMachine``, one type per event.
extension ListenStateMachine {
    /// After `clientOpened(_:)`.
    public enum ClientOpenedAction: Hashable, Sendable {
        /// Show the open, send the client the command line's messages, let held input go.
        case showGreetAndReleaseInput
        /// Show the open and close the client with this code: the session is quitting.
        case showAndClose(CloseCode)
    }

    /// After `messageReceived(from:_:)`: the session acknowledges every message.
    public enum ListenMessageAction: Hashable, Sendable {
        case show
        /// Not shown: `--count`/`--expect` was satisfied before it.
        case ignore
        /// Show it; it satisfied `--count`/`--expect`: quit as said.
        case showAndQuit(QuitAction)
    }

    /// After `clientClosed(_:)`.
    public enum ClientClosedAction: Hashable, Sendable {
        case show
        /// Show the close: it was the last client of a session that quits.
        case showAndFinish
    }

    /// After `inputBatchRead()`.
    public enum InputBatchReadAction: Hashable, Sendable {
        case sendToEveryClient
        /// Hold the batch until a client opens (or the session quits), then ask again.
        case holdUntilAClient
        case stopReading
    }

    /// How to quit.
    public enum QuitAction: Hashable, Sendable {
        /// Nothing: the session is quitting already, or over.
        case none
        /// Stop listening and close these clients; the session ends with the last close.
        case stopListeningAndClose([Int], code: CloseCode)
        /// Stop listening; there is no client, so the session is over.
        case stopListeningAndFinish
        /// The session is over now, whatever clients are left.
        case finish
    }

    /// After `interruptReceived(promptHasText:)`.
    public enum ListenInterruptAction: Hashable, Sendable {
        /// The prompt had text: clear it, nothing else.
        case clearLine
        case quit(QuitAction)
    }
}
