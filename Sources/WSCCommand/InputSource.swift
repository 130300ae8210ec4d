/// Where a session's input comes from: the prompt, standard input, or the command line.
///
/// The runner starts the sources the options name, each as a child task of the run; a
/// scenario file or a replay is one more source.
@MainActor
protocol InputSource: Sendable {
    /// Hands the target what arrives until the input ends or the session does.
    func run<Target: SessionTarget>(into target: Target, runner: SessionRunner<Target.Event>) async
}
