/// An interactive line editor: a prompt the user types at while output is printed above it.
///
/// Everything runs on the main actor: the editor reads the terminal on the main thread,
/// and nothing else may write to the terminal while it is active.
@MainActor
public protocol LineEditor: AnyObject {
    /// Whether the line being typed has any text.
    var hasText: Bool { get }

    /// Shows the prompt and starts reading keys.
    ///
    /// - Parameters:
    ///   - onLine: called with each line the user enters.
    ///   - onEndOfInput: called on Ctrl-D at an empty line.
    ///   - onHangUp: called when the terminal goes away, or from `start` itself when there
    ///     can be no prompt (libedit missing).
    func start(
        onLine: @escaping @MainActor (String) -> Void,
        onEndOfInput: @escaping @MainActor () -> Void,
        onHangUp: @escaping @MainActor () -> Void
    )

    /// Prints text (one or more lines, no trailing newline needed) above the prompt,
    /// keeping the half-typed line and the cursor as they were.
    func print(_ text: String)

    /// Empties the line being typed (Ctrl-C with text).
    func clearLine()

    /// Removes the prompt and gives the terminal back as it was. Safe to call twice.
    func stop()
}
