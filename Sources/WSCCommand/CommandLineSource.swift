/// What the command line gives to send (`-x`, `--json`, `--file`, `--text-file`), and for a
/// client, the end of input right after.
struct CommandLineSource: InputSource {
    func run<Target: SessionTarget>(into target: Target, runner: SessionRunner<Target.Event>) async {
        target.sendCommandLine(at: runner.timers.now)
    }
}
