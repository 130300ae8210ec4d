import Foundation

/// Where the things the end-to-end tests run are.
enum Paths {
    /// The package's root directory.
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 {
            url.deleteLastPathComponent()
        }
        return url.path
    }()

    /// The `wsc` binary built next to the test bundle (or `$WSC_BINARY`).
    static let wsc: String = {
        if let path = ProcessInfo.processInfo.environment["WSC_BINARY"] {
            return path
        }
        let executable =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("wsc").path
    }()

    /// The Python with `websockets` installed (`make test` makes it), or `$WSC_TEST_PYTHON`.
    static let python: String = {
        ProcessInfo.processInfo.environment["WSC_TEST_PYTHON"] ?? packageRoot + "/.venv-test/bin/python"
    }()

    /// Autobahn|Testsuite, as `make test-deps` installs it: `wstest` and `run-client-suite.sh`.
    static let autobahn: String = {
        ProcessInfo.processInfo.environment["WSC_TEST_AUTOBAHN"] ?? packageRoot + "/.autobahn"
    }()

    /// A host name that cannot resolve here, without a DNS query leaving the machine.
    ///
    /// Its first label is longer than DNS's 63-byte limit, so the C library refuses it
    /// before asking any server ("Name or service not known", as for a name that does
    /// not exist). The test proxies take it for 127.0.0.1, so a connection that reaches
    /// a server by this name went through a proxy. Tests never touch the network beyond
    /// loopback.
    static let unresolvableHost = "wsc-target-" + String(repeating: "x", count: 60) + ".test"

    /// The test peers' scripts.
    static let peers = packageRoot + "/Tests/WSCEndToEndTests/Peers"

    /// A new empty temporary directory.
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "wsc-e2e-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
