import ArgumentParser
import WSCCore

extension BinaryFormat: ExpressibleByArgument {}

/// Options that decide how events and messages are shown.
struct DisplayOptions: ParsableArguments {
    @Flag(help: "No colours (also when NO_COLOR is set).")
    var noColor = false

    @Flag(name: [.customShort("P"), .long], help: "Show received pings and pongs, and the round-trip time of ours.")
    var showPingPong = false

    @Flag(name: [.customShort("T"), .long], help: "Start every event line with the local time (milliseconds).")
    var timestamps = false

    @Flag(help: "Pretty-print received text that is a JSON object or array.")
    var pretty = false

    @Option(
        help: ArgumentHelp(
            "How to show binary messages: hex, base64, raw or summary (default: hex preview on a terminal, raw bytes in a pipe, with nothing between messages; hex, base64 and --ndjson give one line per message).",
            valueName: "format"
        )
    )
    var binaryFormat: BinaryFormat?

    @Flag(
        inversion: .prefixedNo,
        help:
            "Interpret /commands in typed or piped lines (default: on at the prompt, off in pipes; --slash as in wscat)."
    )
    var slash: Bool?
}
