import WSCCommand

/// The `wsc` executable: everything lives in `WSCCommand`.
@main
enum WSCMain {
    static func main() async {
        await WSC.runAsRoot()
    }
}
