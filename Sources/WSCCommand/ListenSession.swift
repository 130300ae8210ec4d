import Dispatch
import NIOCore
import NIOPosix
import WSCCore
import WSCNetwork
import WSCTerminal

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `wsc --listen`: a WebSocket server that reports its clients' events until interrupted.
///
/// This is the first piece of listen mode: it accepts clients, prints their events with
/// their id, and echoes with `--echo`.
@MainActor
final class ListenSession {
    let host: String
    let port: Int
    let echo: Bool
    let renderer: EventRenderer

    init(host: String, port: Int, echo: Bool, style: OutputStyle) {
        self.host = host
        self.port = port
        self.echo = echo
        self.renderer = EventRenderer(style: style)
    }

    func run() async -> ExitStatus {
        let (stream, continuation) = AsyncStream.makeStream(of: (Int, ConnectionEvent).self, bufferingPolicy: .unbounded)
        let server: WebSocketServer
        do {
            server = try await WebSocketServer.start(
                host: self.host,
                port: self.port,
                echo: self.echo,
                on: MultiThreadedEventLoopGroup.singleton,
                events: { continuation.yield(($0, $1)) }
            ).get()
        } catch {
            OutputStream.standardError.write("error: cannot listen on \(self.host):\(self.port): \(error)\n")
            return .unavailable
        }
        let shownHost = self.host.contains(":") ? "[\(self.host)]" : self.host
        OutputStream.standardError.write("Listening on ws://\(shownHost):\(server.port)/\(self.echo ? " (echo)" : "")\n")

        var sources: [DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .main)
            source.setEventHandler {
                continuation.finish()
            }
            source.resume()
            sources.append(source)
        }
        for await (client, event) in stream {
            self.show(event, from: client)
        }
        for source in sources {
            source.cancel()
        }
        try? await server.close().get()
        return .success
    }

    private func show(_ event: ConnectionEvent, from client: Int) {
        let prefix = "[#\(client)] "
        switch event {
        case .message(let message) where !TerminalDetection.standardOutputIsTerminal:
            switch message {
            case .text(let text): OutputStream.standardOutput.write(text + "\n")
            case .binary(let bytes): OutputStream.standardOutput.write(bytes)
            }
        case .open(let info):
            OutputStream.standardError.write(prefix + "Client connected (path: \(info.url))\n")
        default:
            guard let text = self.renderer.terminalText(for: event) else {
                return
            }
            let output = TerminalDetection.standardOutputIsTerminal ? OutputStream.standardOutput : OutputStream.standardError
            output.write(prefix + text + "\n")
        }
    }
}
