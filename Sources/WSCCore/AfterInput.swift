/// What a client does once its input has ended (all of stdin sent, or the command-line sends).
public enum AfterInput: Hashable, Sendable {
    /// Close once nothing was sent or received for this long and nothing waits to be written
    /// (the default, 2 s).
    case closeWhenIdle(Duration)
    /// Close this long after the last send was written (`-w SECONDS`).
    case closeAfter(Duration)
    /// Leave the close to the server (`-w -1`, `--keep-open`, client `--echo`).
    case waitForServer
}
