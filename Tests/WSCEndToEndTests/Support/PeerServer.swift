import Foundation

/// A server process started for a test: it prints its port first, and is killed at the end.
final class PeerServer: @unchecked Sendable {
    let process: Process
    let port: Int

    private init(process: Process, port: Int) {
        self.process = process
        self.port = port
    }

    /// The Python `websockets` peer (Tests/WSCEndToEndTests/Peers/websockets_server.py).
    static func pythonWebSockets() throws -> PeerServer {
        try self.start(Paths.python, [Paths.peers + "/websockets_server.py"])
    }

    /// The Python `websockets` peer accepting permessage-deflate with these parameters.
    ///
    /// For example `server_no_context_takeover=1` or `client_max_window_bits=9`.
    static func pythonWebSockets(deflate parameters: [String]) throws -> PeerServer {
        try self.start(Paths.python, [Paths.peers + "/websockets_server.py", "deflate"] + parameters)
    }

    /// The Python `websockets` peer serving wss:// with this certificate and key.
    static func pythonWebSockets(certificate: String, key: String) throws -> PeerServer {
        try self.start(Paths.python, [Paths.peers + "/websockets_server.py", "tls", certificate, key])
    }

    /// The Python `websockets` peer serving on a Unix domain socket at `path`.
    static func pythonWebSockets(unixSocket path: String) throws -> PeerServer {
        try self.start(Paths.python, [Paths.peers + "/websockets_server.py", "unix", path], announcesPort: false)
    }

    /// An HTTP CONNECT proxy (Peers/connect_proxy.py), asking for these credentials if given.
    static func connectProxy(credentials: String? = nil) throws -> PeerServer {
        try self.start(Paths.python, [Paths.peers + "/connect_proxy.py"] + (credentials.map { [$0] } ?? []))
    }

    /// A SOCKS5 proxy (Peers/socks5_proxy.py).
    ///
    /// It asks for these credentials if given, and writes each request it gets to `log`.
    static func socks5Proxy(credentials: String? = nil, log: String? = nil) throws -> PeerServer {
        try self.start(
            Paths.python,
            [Paths.peers + "/socks5_proxy.py"] + (log.map { ["--log", $0] } ?? []) + (credentials.map { [$0] } ?? [])
        )
    }

    /// microsocks, Debian's SOCKS5 proxy: an independent peer, with RFC 1929 credentials if given.
    ///
    /// It cannot listen on port 0, so it gets a port that was free a moment ago. It writes a
    /// line per tunnel (`connected to HOST:PORT`) to `log`, if given.
    static func microsocks(user: String? = nil, password: String? = nil, log: String? = nil) throws -> PeerServer {
        let executable = "/usr/bin/microsocks"
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw PeerError("\(executable) is missing: run the tests with `make test`, which installs it")
        }
        let port = try LoopbackPort.free()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments =
            ["-i", "127.0.0.1", "-p", String(port)] + (user.map { ["-u", $0, "-P", password ?? ""] } ?? [])
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        if let log {
            FileManager.default.createFile(atPath: log, contents: nil)
            process.standardError = FileHandle(forWritingAtPath: log)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        let server = PeerServer(process: process, port: port)
        guard LoopbackPort.waitUntilAccepting(port) else {
            server.stop()
            throw PeerError("microsocks did not start listening on port \(port)")
        }
        return server
    }

    /// A server that upgrades and then ignores everything, even close frames.
    ///
    /// With `log`, it appends `close CODE REASON` to that file for each close frame it reads.
    static func silent(log: String? = nil) throws -> PeerServer {
        try self.start(Paths.python, [Paths.peers + "/misbehaving_server.py", "silent"] + (log.map { [$0] } ?? []))
    }

    /// A server that upgrades and then never reads: the client's writes back up.
    static func stalling() throws -> PeerServer {
        try self.misbehaving("stall")
    }

    /// A server that misbehaves as `mode` says (see misbehaving_server.py): `mute`,
    /// `partial`, `linger`, …
    static func misbehaving(_ mode: String) throws -> PeerServer {
        try self.start(Paths.python, [Paths.peers + "/misbehaving_server.py", mode])
    }

    /// `wsc --listen 0 --echo`: our own server as a fixture.
    static func wscEcho() throws -> PeerServer {
        try self.start(Paths.wsc, ["--listen", "0", "--echo"], portOnStandardError: true)
    }

    /// Starts the server and waits for its first line, which gives its port.
    ///
    /// When `announcesPort` is false, the line only says it is ready, and the port is 0.
    static func start(
        _ executable: String,
        _ arguments: [String],
        portOnStandardError: Bool = false,
        announcesPort: Bool = true
    ) throws -> PeerServer {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw PeerError("\(executable) is missing: run the tests with `make test`, which installs the peers")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        if portOnStandardError {
            process.standardError = pipe
            process.standardOutput = FileHandle.nullDevice
        } else {
            process.standardOutput = pipe
        }
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readThroughFirstLine(), as: UTF8.self)
        guard announcesPort else {
            guard text.hasPrefix("ready") else {
                process.terminate()
                throw PeerError("\(executable) did not start (said: \(text))")
            }
            return PeerServer(process: process, port: 0)
        }
        let digits = text.split(whereSeparator: { !$0.isNumber }).last(where: { Int($0).map { $0 > 0 } ?? false })
        guard let digits, let port = Int(digits) else {
            process.terminate()
            throw PeerError("\(executable) did not report its port (said: \(text))")
        }
        return PeerServer(process: process, port: port)
    }

    /// Kills the server at once (a graceful shutdown would wait for its clients).
    func stop() {
        if self.process.isRunning {
            kill(self.process.processIdentifier, SIGKILL)
            self.process.waitUntilExit()
        }
    }

    deinit {
        self.stop()
    }
}

struct PeerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) {
        self.description = description
    }
}

extension FileHandle {
    /// Reads until a newline arrived (or the end).
    ///
    /// Returns all that was read, which may go past the newline.
    func readThroughFirstLine() -> Data {
        var data = Data()
        while !data.contains(UInt8(ascii: "\n")) {
            let chunk = self.availableData
            guard !chunk.isEmpty else {
                break
            }
            data.append(chunk)
        }
        return data
    }
}
