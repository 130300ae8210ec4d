// swift-tools-version:6.1
import PackageDescription

/// Release builds leave out the run-time exclusivity checks of wsc's own modules.
///
/// They cost about a sixth of the time per message on the hot paths (every access to a
/// handler's or session's stored properties is checked through thread-local storage);
/// debug builds, which every test runs, keep them.
let releaseSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "wsc",
    products: [
        .executable(name: "wsc", targets: ["wsc"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
    ],
    targets: [
        // Fixed-argument C wrappers around libedit (Swift cannot call C variadics). libedit
        // is opened when the prompt starts (dlopen), not linked: a run in a pipe never loads it.
        .target(name: "CLibEdit"),
        // Models, the connection state machine, parsing and formatting: no I/O.
        // (NIOCore for ByteBuffer only: a message's payload is the bytes it came in.)
        .target(
            name: "WSCCore",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: releaseSettings
        ),
        // WebSocket client and server on SwiftNIO.
        .target(
            name: "WSCNetwork",
            dependencies: [
                "WSCCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ],
            swiftSettings: releaseSettings
        ),
        // Standard input read in records (lines, NUL-separated, chunks, whole) on a thread
        // of its own, a batch at a time, with back-pressure.
        .target(
            name: "WSCInput",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: releaseSettings
        ),
        // Line editor, printer rules for terminals and pipes.
        .target(
            name: "WSCTerminal",
            dependencies: ["WSCCore", "CLibEdit", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: releaseSettings
        ),
        // The command line: options, validation, and the sessions they start.
        .target(
            name: "WSCCommand",
            dependencies: [
                "WSCCore",
                "WSCNetwork",
                "WSCInput",
                "WSCTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: releaseSettings
        ),
        .executableTarget(name: "wsc", dependencies: ["WSCCommand"]),
        // Fuzz targets over the parsers that take outside input, and their runner: libFuzzer's
        // when built for `make fuzz` (-DFUZZING), else a replayer of input files.
        .target(name: "WSCFuzzing", dependencies: ["WSCCore", "WSCNetwork"]),
        .executableTarget(name: "wsc-fuzz", dependencies: ["WSCFuzzing"]),
        .testTarget(name: "WSCCoreTests", dependencies: ["WSCCore", "WSCFuzzing"]),
        // Test fixtures shared by the test targets (a throwaway CA for wss://).
        .target(name: "WSCTestSupport", path: "Tests/WSCTestSupport"),
        .testTarget(
            name: "WSCNetworkTests",
            dependencies: [
                "WSCCore",
                "WSCNetwork",
                "WSCTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ]
        ),
        // The session runner's own parts (its decisions are WSCCore's, tested there).
        .testTarget(
            name: "WSCCommandTests",
            dependencies: [
                "WSCCommand",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "WSCInputTests",
            dependencies: ["WSCInput", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .testTarget(
            name: "WSCTerminalTests",
            dependencies: ["WSCTerminal", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .testTarget(name: "WSCEndToEndTests", dependencies: ["WSCCore", "WSCTestSupport"], exclude: ["Peers"]),
    ],
    swiftLanguageModes: [.v6]
)
