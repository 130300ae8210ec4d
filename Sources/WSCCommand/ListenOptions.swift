import ArgumentParser

/// Options for serving instead of connecting.
struct ListenOptions: ParsableArguments {
    @Option(
        name: [.customShort("l"), .long],
        parsing: .unconditional,
        help: ArgumentHelp(
            "Serve WebSocket clients instead of connecting (host 127.0.0.1 unless given; port 0 picks one; or a Unix socket).",
            valueName: "[host:]port|unix:path"
        )
    )
    var listen: String?

    @Flag(
        help:
            "Echo every message back, same type, byte for byte: with --listen to each client, else to the server until it closes."
    )
    var echo = false

    @Flag(help: "Start an echo server inside wsc on 127.0.0.1 and connect to it (to try wsc out).")
    var localEcho = false

    /// Where `--listen` listens.
    enum Address: Equatable {
        /// `[host:]port`; the host defaults to 127.0.0.1.
        case tcp(host: String, port: Int)
        /// `unix:PATH`: a Unix domain socket.
        case unix(path: String)
    }

    /// The address of `--listen`, or nil without it.
    func listenAddress() throws -> Address? {
        guard let listen = self.listen else {
            return nil
        }
        if listen.hasPrefix("unix:") {
            let path = String(listen.dropFirst(5))
            guard !path.isEmpty else {
                throw ValidationError("--listen unix:PATH needs a socket path")
            }
            return .unix(path: path)
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
            throw ValidationError(
                "--listen takes [host:]port (port 0 to 65535) or unix:PATH, e.g. 8080, 0.0.0.0:8080, unix:/tmp/wsc.sock"
            )
        }
        return .tcp(host: host, port: port)
    }
}
