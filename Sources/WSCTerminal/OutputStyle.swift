import WSCCore

/// How events are shown: the user's display options.
public struct OutputStyle: Sendable {
    /// Use ANSI colours (terminal output only, and never with `--no-color` or `NO_COLOR`).
    public var color: Bool
    /// How binary messages are shown.
    public var binaryFormat: BinaryFormat
    /// Pretty-print text messages that are JSON objects or arrays.
    public var pretty: Bool
    /// Show received pings and pongs, and the round-trip time of ours.
    public var showPingPong: Bool
    /// Start every event line with the local time (`-T`).
    public var timestamps: Bool

    public init(color: Bool, binaryFormat: BinaryFormat, pretty: Bool, showPingPong: Bool, timestamps: Bool = false) {
        self.color = color
        self.binaryFormat = binaryFormat
        self.pretty = pretty
        self.showPingPong = showPingPong
        self.timestamps = timestamps
    }
}

/// The ANSI colours `wsc` uses.
enum ANSIColor: String {
    case red = "31"
    case green = "32"
    case yellow = "33"
    case blue = "34"
    case cyan = "36"
    case dim = "2"

    func paint(_ text: String, if enabled: Bool) -> String {
        enabled ? "\u{1B}[\(self.rawValue)m\(text)\u{1B}[0m" : text
    }
}
