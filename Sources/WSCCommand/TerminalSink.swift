import WSCCore
import WSCTerminal

/// Events at the prompt: printed above the line being typed, which stays as it was.
@MainActor
final class TerminalSink: EventSink {
    let editor: LineEditor
    let renderer: EventRenderer
    let prefix: EventPrefix

    init(editor: LineEditor, renderer: EventRenderer, prefix: EventPrefix) {
        self.editor = editor
        self.renderer = renderer
        self.prefix = prefix
    }

    func show(_ event: ConnectionEvent, client: Int?) {
        if let text = self.renderer.terminalText(for: event) {
            self.editor.print(self.prefix.apply(to: text, client: client))
        }
    }

    func inform(_ text: String) {
        self.editor.print(text)
    }

    func listening(on url: String, notes: [String]) {
        self.inform(self.renderer.noticeText(Self.listeningText(url, notes)))
    }

    /// `Listening on URL (notes)`.
    static func listeningText(_ url: String, _ notes: [String]) -> String {
        "Listening on \(url)" + (notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))")
    }
}
