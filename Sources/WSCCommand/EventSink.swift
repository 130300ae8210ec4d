import WSCCore

/// Where a session's events are shown: at the prompt, in pipes, or as NDJSON.
///
/// A session shows every event through ``SessionOutput``, which hands it to the sink of the
/// output mode in use; a recorder or a frame trace is one more sink.
@MainActor
protocol EventSink: AnyObject {
    /// An event of a connection; `client` is a `--listen` client's id.
    func show(_ event: ConnectionEvent, client: Int?)
    /// A line for the user that is not a connection event (help, status, notices).
    func inform(_ text: String)
    /// `--listen` started: where clients connect, with notes on how it serves them.
    func listening(on url: String, notes: [String])
}
