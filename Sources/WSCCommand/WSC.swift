import ArgumentParser
import NIOPosix
import WSCCore
import WSCNetwork
import WSCTerminal

/// The `wsc` command: a WebSocket client (and server) for the terminal and for scripts.
public struct WSC: AsyncParsableCommand {
    /// The version `--version` prints.
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "wsc",
        abstract: "A WebSocket client for the terminal, pipes and scripts.",
        discussion: """
            At a terminal, wsc opens a prompt: type a line to send it as a text message; \
            received messages, errors and the close (with code, reason and wasClean) are \
            printed above the prompt. Type /help for the slash commands.

            With --listen, wsc is a server instead: every client gets an id, its events are \
            shown as [#id], and typed or piped lines go to every client.

            Exit status: 0 clean close, 1 other close, 64 usage, 65 bad data or input not \
            sent, 66 unreadable file, 69 could not connect, 74 standard output failed, 76 \
            upgrade refused or handshake broken, 124 time limit, 130 interrupted.
            """,
        version: WSC.version
    )

    @Argument(help: ArgumentHelp("The ws:// or wss:// URL to connect to (no scheme means ws://).", valueName: "url"))
    var url: String?

    @Option(
        name: [.customShort("c"), .customLong("connect")],
        help: ArgumentHelp("The URL to connect to (as in wscat).", valueName: "url")
    )
    var connect: String?

    @OptionGroup(title: "Handshake options")
    var handshake: HandshakeOptions

    @OptionGroup(title: "TLS options")
    var tls: TLSOptionGroup

    @OptionGroup(title: "Display options")
    var display: DisplayOptions

    @OptionGroup(title: "Scripting options")
    var script: ScriptOptions

    @OptionGroup(title: "Server options")
    var listen: ListenOptions

    public init() {}

    public func validate() throws {
        let modes = [self.url != nil || self.connect != nil, self.listen.listen != nil, self.listen.localEcho]
        guard modes.filter({ $0 }).count == 1 else {
            if self.url != nil, self.connect != nil {
                throw ValidationError("give the URL once: as an argument or with -c")
            }
            throw ValidationError("give a URL to connect to, --listen PORT to serve, or --local-echo to try wsc out")
        }
        if self.url != nil, self.connect != nil {
            throw ValidationError("give the URL once: as an argument or with -c")
        }
        if let text = self.url ?? self.connect {
            let url: WebSocketURL
            do {
                url = try WebSocketURL(parsing: text)
            } catch {
                throw ValidationError(error.description)
            }
            if url.unixSocketPath != nil,
                self.handshake.proxy != nil || self.handshake.bind != nil || self.handshake.ipv4 || self.handshake.ipv6
            {
                throw ValidationError("a ws+unix:// URL does not go with --proxy, --bind, -4 or -6")
            }
        }
        _ = try self.listen.listenAddress()
        if let chunkSize = self.script.chunkSize, let size = try? HandshakeOptions.parseSize(chunkSize),
            let limit = try? HandshakeOptions.parseSize(self.handshake.maxMessageSize), size > limit
        {
            throw ValidationError(
                "--chunk-size \(chunkSize) is more than --max-message-size \(self.handshake.maxMessageSize)"
            )
        }
        if self.listen.listen != nil {
            try self.validateForListening()
        } else if self.handshake.origin.count > 1 {
            throw ValidationError("give --origin once when connecting (it is repeatable with --listen)")
        }
    }

    /// Refuses the options that only make sense when connecting.
    private func validateForListening() throws {
        let clientOnly: [(given: Bool, name: String)] = [
            (self.handshake.auth != nil, "--auth"),
            (self.handshake.host != nil, "--host"),
            (self.handshake.userAgent != nil, "--user-agent"),
            (self.handshake.connectTimeout != nil, "--connect-timeout"),
            (self.handshake.verbose, "--verbose"),
            (self.tls.noCheck || self.tls.insecure, "--insecure"),
            (self.script.wait != nil, "--wait"),
            (self.script.keepOpen, "--keep-open"),
            (self.handshake.bind != nil, "--bind"),
            (self.handshake.unixSocket != nil, "--unix-socket"),
            (self.handshake.followRedirects, "--location"),
            (self.handshake.proxy != nil, "--proxy"),
            (self.handshake.ipv4 || self.handshake.ipv6, "-4/-6"),
            (self.handshake.reconnect, "--reconnect"),
        ]
        if let option = clientOnly.first(where: \.given) {
            throw ValidationError("\(option.name) is for connecting; it does not go with --listen")
        }
        if self.tls.ca != nil, self.tls.cert == nil {
            throw ValidationError("with --listen, --ca (to check client certificates) needs --cert to serve wss://")
        }
    }

    public func run() async throws {
        throw ExitCode(try await self.runSession().rawValue)
    }

    /// Runs the session the options ask for (client, server or local echo) and returns its exit status.
    func runSession() async throws -> ExitStatus {
        var options = self.sessionOptions()
        do {
            options.commandLineSends = try self.prepareCommandLineSends()
        } catch let failure as CommandLineDataError {
            OutputStream.standardError.write("error: \(failure.message)\n")
            return failure.status
        }
        if let address = try self.listen.listenAddress() {
            return await ListenSession(configuration: try self.serverConfiguration(address), options: options).run()
        }
        if self.listen.localEcho {
            return await self.runAgainstLocalEchoServer(options: options)
        }
        guard let text = self.url ?? self.connect else {
            throw ValidationError("give a URL to connect to")
        }
        return await ClientSession(
            configuration: try self.clientConfiguration(url: WebSocketURL(parsing: text)),
            options: options
        ).run()
    }

    /// `--local-echo`: an in-process echo server on 127.0.0.1, port 0, and a client connected to it.
    private func runAgainstLocalEchoServer(options: SessionOptions) async -> ExitStatus {
        do {
            var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
            configuration.echo = true
            configuration.maximumMessageSize = try HandshakeOptions.parseSize(self.handshake.maxMessageSize)
            let server = try await WebSocketServer.start(configuration, on: MultiThreadedEventLoopGroup.singleton) {
                _ in
            }.get()
            let url = try WebSocketURL(parsing: server.url)
            let status = await ClientSession(configuration: try self.clientConfiguration(url: url), options: options)
                .run()
            try? await server.close().get()
            return status
        } catch {
            OutputStream.standardError.write("error: could not start the local echo server: \(error)\n")
            return .unavailable
        }
    }

    func clientConfiguration(url: WebSocketURL) throws -> ClientConfiguration {
        var configuration = ClientConfiguration(url: url)
        configuration.headers = try self.handshake.header.map(HandshakeOptions.parseHeader)
        configuration.origin = self.handshake.origin.first
        configuration.subprotocols = self.handshake.subprotocol
        if let auth = self.handshake.auth, let colon = auth.firstIndex(of: ":") {
            configuration.basicAuth = (String(auth[..<colon]), String(auth[auth.index(after: colon)...]))
        }
        configuration.hostOverride = self.handshake.host
        configuration.userAgent = self.handshake.userAgent ?? "wsc/\(WSC.version)"
        configuration.connectTimeout = Seconds.duration(self.handshake.connectTimeout ?? 10)
        configuration.closeTimeout = Seconds.duration(self.handshake.closeTimeout)
        configuration.maximumMessageSize = try HandshakeOptions.parseSize(self.handshake.maxMessageSize)
        configuration.traceHandshake = self.handshake.verbose
        configuration.keepalive = self.handshake.keepalive
        if let proxy = self.handshake.proxy {
            configuration.proxy = try ProxySettings(parsing: proxy)
        } else if !self.handshake.noProxy, configuration.unixSocketPath == nil {
            do {
                configuration.proxy = try ProxySettings.fromEnvironment(ProcessEnvironment.variables(), for: url)
            } catch {
                throw ValidationError("the proxy in the environment: \(error) (--no-proxy ignores it)")
            }
        }
        configuration.compression = !self.handshake.noCompress
        configuration.echo = self.listen.echo
        configuration.givesBackUnsent = self.handshake.reconnect
        configuration.followRedirects = self.handshake.followRedirects
        configuration.maximumRedirects = self.handshake.maxRedirects ?? 10
        configuration.localAddress = self.handshake.bind
        if let path = self.handshake.unixSocket {
            configuration.unixSocketPath = path
        }
        configuration.addressFamily = self.handshake.addressFamily
        configuration.tls.caFile = self.tls.ca
        configuration.tls.skipVerification = self.tls.noCheck || self.tls.insecure
        configuration.tls.certificateFile = self.tls.cert
        configuration.tls.privateKeyFile = self.tls.key
        return configuration
    }

    /// `--listen`: the server's address, handshake policy, headers and certificate.
    func serverConfiguration(_ address: ListenOptions.Address) throws -> ServerConfiguration {
        var configuration: ServerConfiguration
        switch address {
        case .tcp(let host, let port):
            configuration = ServerConfiguration(host: host, port: port)
        case .unix(let path):
            configuration = ServerConfiguration(host: "localhost", port: 0)
            configuration.unixSocketPath = path
        }
        configuration.echo = self.listen.echo
        configuration.policy = ServerHandshakePolicy(
            allowedOrigins: self.handshake.origin,
            subprotocols: self.handshake.subprotocol,
            compression: !self.handshake.noCompress
        )
        configuration.responseHeaders = try self.handshake.header.map(HandshakeOptions.parseHeader)
        configuration.maximumMessageSize = try HandshakeOptions.parseSize(self.handshake.maxMessageSize)
        configuration.closeTimeout = Seconds.duration(self.handshake.closeTimeout)
        configuration.keepalive = self.handshake.keepalive
        if let certificate = self.tls.cert {
            var tls = TLSOptions()
            tls.certificateFile = certificate
            tls.privateKeyFile = self.tls.key
            tls.caFile = self.tls.ca
            configuration.tls = tls
        }
        return configuration
    }

    func sessionOptions() -> SessionOptions {
        let script = self.script
        // A server reads its prompt even with greetings (-x) to send each client.
        let sendsReplaceInput = script.hasCommandLineSends && self.listen.listen == nil
        let interactive =
            TerminalDetection.standardInputIsTerminal && TerminalDetection.standardOutputIsTerminal
            && !sendsReplaceInput && !script.ndjson
        var options = SessionOptions(
            interactive: interactive,
            slashCommands: self.display.slash ?? interactive,
            style: self.outputStyle()
        )
        // validate() checked the sizes.
        let chunkSize = script.chunkSize.flatMap { try? HandshakeOptions.parseSize($0) }
        if let chunkSize {
            options.inputFraming = .chunks(size: chunkSize)
        } else {
            options.inputFraming = script.whole ? .whole : .lines(separator: script.null ? 0 : UInt8(ascii: "\n"))
        }
        options.inputIsBinary = script.binary || chunkSize != nil
        options.inputLimit = (try? HandshakeOptions.parseSize(self.handshake.maxMessageSize)) ?? Int.max
        if script.keepOpen || script.wait == -1 {
            options.afterInput = .waitForServer
        } else if let wait = script.wait {
            options.afterInput = .closeAfter(Seconds.duration(wait))
        }
        options.count = script.count
        options.expectations = script.expect
        options.timeout = script.timeout.map(Seconds.duration)
        options.ndjson = script.ndjson
        if self.listen.echo, self.listen.listen == nil {
            // The Autobahn testee contract: echo until the server closes; stdin is not read.
            options.echoesUntilClosed = true
            options.afterInput = .waitForServer
        }
        if self.handshake.reconnect {
            options.reconnection = Reconnection(maximumDelay: Seconds.duration(self.handshake.reconnectMax ?? 30))
        }
        return options
    }

    /// Checks and loads `-x`, `--json`, `--file`, `--text-file` before connecting.
    ///
    /// Bad JSON or text is status 65, an unreadable file 66, and nothing is sent.
    func prepareCommandLineSends() throws -> [SessionOptions.PreparedSend] {
        var sends: [SessionOptions.PreparedSend] = self.script.execute.map { .message(.text($0)) }
        for json in self.script.json {
            do {
                sends.append(.message(.text(try JSONText.compact(json))))
            } catch {
                throw CommandLineDataError(status: .dataError, message: "--json: \(error)")
            }
        }
        for path in self.script.file {
            do {
                try LocalFile.checkReadable(path)
                sends.append(.file(path: path))
            } catch {
                throw CommandLineDataError(status: .noInput, message: error.message)
            }
        }
        for path in self.script.textFile {
            let bytes: [UInt8]
            do {
                bytes = try LocalFile.read(path, limit: Int.max)
            } catch {
                throw CommandLineDataError(status: .noInput, message: error.message)
            }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw CommandLineDataError(
                    status: .dataError,
                    message: "--text-file '\(path)' is not valid UTF-8 (use --file to send it as binary)"
                )
            }
            sends.append(.message(.text(text)))
        }
        return sends
    }

    func outputStyle() -> OutputStyle {
        let terminal = TerminalDetection.standardOutputIsTerminal
        let colorAllowed = !self.display.noColor && !TerminalDetection.environmentForbidsColor
        return OutputStyle(
            color: colorAllowed && terminal,
            binaryFormat: self.display.binaryFormat ?? (terminal ? .hex : .raw),
            pretty: self.display.pretty,
            showPingPong: self.display.showPingPong,
            timestamps: self.display.timestamps
        )
    }
}

/// Data given on the command line that cannot be used; the status says which kind.
struct CommandLineDataError: Error {
    var status: ExitStatus
    var message: String
}
