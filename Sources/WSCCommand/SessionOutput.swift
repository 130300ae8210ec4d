import WSCCore
import WSCTerminal

/// Where a session's events go: to the sink of the output mode in use.
///
/// At the prompt that is a ``TerminalSink``; in pipes a ``PipeSink``, which it becomes when
/// the terminal goes away; with `--ndjson` an ``NDJSONSink``.
@MainActor
final class SessionOutput {
    let style: OutputStyle
    let renderer: EventRenderer
    let standardOutput = StandardOutput()
    /// The sink events are shown in.
    private(set) var display: EventSink
    /// The prompt, in interactive mode.
    private(set) var editor: LineEditor?

    init(style: OutputStyle, ndjson: Bool) {
        self.style = style
        self.renderer = EventRenderer(style: style)
        self.display =
            ndjson
            ? NDJSONSink(standardOutput: self.standardOutput, showPingPong: style.showPingPong)
            : PipeSink(standardOutput: self.standardOutput, renderer: self.renderer, style: style)
    }

    /// Called once when standard output is found closed, or failing.
    var onClosed: (@MainActor () -> Void)? {
        get { self.standardOutput.onClosed }
        set { self.standardOutput.onClosed = newValue }
    }

    /// Why standard output failed (not `EPIPE`), if it did.
    var writeFailure: OutputStream.Failure? { self.standardOutput.writeFailure }

    /// Opens the prompt (`> `) with history and completion of the role's commands.
    func startPrompt(
        for role: ConnectionRole,
        onLine: @escaping @MainActor (String) -> Void,
        onEndOfInput: @escaping @MainActor () -> Void,
        onHangUp: @escaping @MainActor () -> Void
    ) {
        let editor = LibEditLineEditor(
            prompt: "> ",
            historyFile: HistoryLocation.defaultPath(),
            commands: SlashCommand.descriptions(for: role).map(\.name)
        )
        self.editor = editor
        self.display = TerminalSink(
            editor: editor,
            renderer: self.renderer,
            prefix: EventPrefix(timestamps: self.style.timestamps)
        )
        editor.start(onLine: onLine, onEndOfInput: onEndOfInput, onHangUp: onHangUp)
    }

    /// Removes the prompt and gives the terminal back; events go to the pipes' streams after.
    func stopPrompt() {
        guard let editor = self.editor else {
            return
        }
        editor.stop()
        self.editor = nil
        self.display = PipeSink(standardOutput: self.standardOutput, renderer: self.renderer, style: self.style)
    }

    /// Shows an event; `client` (with `--listen`) prefixes it with `[#id]` or adds it to the JSON.
    func show(_ event: ConnectionEvent, client: Int? = nil) {
        self.display.show(event, client: client)
    }

    /// A line for the user that is not a connection event (help, status, input errors).
    func inform(_ text: String) {
        self.display.inform(text)
    }

    /// `--listen` started.
    func listening(on url: String, notes: [String]) {
        self.display.listening(on: url, notes: notes)
    }

    /// A line on standard error, after the payloads received before it.
    func diagnostic(_ text: String) {
        self.standardOutput.diagnostic(text)
    }

    /// Writes what waits for standard output.
    func flush() {
        self.standardOutput.flush()
    }
}
