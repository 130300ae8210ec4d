import WSCCore

/// Lines typed at the prompt (libedit): each one, Ctrl-D and a hang-up go into the
/// session's mailbox.
struct PromptSource: InputSource {
    func run<Target: SessionTarget>(into target: Target, runner: SessionRunner<Target.Event>) async {
        runner.output.startPrompt(
            for: Target.role,
            onLine: { runner.post(typed: $0) },
            onEndOfInput: { runner.postEndOfTyping() },
            onHangUp: { runner.postHangUp() }
        )
    }
}
