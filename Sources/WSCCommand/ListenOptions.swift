import ArgumentParser

/// Options for serving instead of connecting.
struct ListenOptions: ParsableArguments {
    @Option(
        name: [.customShort("l"), .long],
        help: ArgumentHelp(
            "Serve WebSocket clients instead of connecting (host 127.0.0.1 unless given; port 0 picks one).",
            valueName: "[host:]port"
        )
    )
    var listen: String?

    @Flag(help: "With --listen: echo every message back to its sender, same type, byte for byte.")
    var echo = false

    @Flag(help: "Start an echo server inside wsc on 127.0.0.1 and connect to it (to try wsc out).")
    var localEcho = false

    /// The host and port of `--listen`; the host defaults to 127.0.0.1.
    func listenAddress() throws -> (host: String, port: Int)? {
        guard let listen = self.listen else {
            return nil
        }
        var host = "127.0.0.1"
        var portText = Substring(listen)
        if let colon = listen.lastIndex(of: ":") {
            host = String(listen[..<colon])
            portText = listen[listen.index(after: colon)...]
            if host.hasPrefix("["), host.hasSuffix("]") {
                host = String(host.dropFirst().dropLast())
            }
        }
        guard let port = Int(portText), (0...65535).contains(port), !host.isEmpty else {
            throw ValidationError("--listen takes [host:]port, e.g. 8080 or 0.0.0.0:8080")
        }
        return (host, port)
    }
}
