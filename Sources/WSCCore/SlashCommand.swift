/// A command typed at the prompt, such as `/close 4000 bye`.
public enum SlashCommand: Hashable, Sendable {
    /// `/help`: list the commands.
    case help
    /// `/close [code [reason]]`: start the close handshake.
    case close(code: CloseCode?, reason: String)
    /// `/ping [data]`: send a ping.
    case ping([UInt8])
    /// `/pong [data]`: send an unsolicited pong.
    case pong([UInt8])
    /// `/json <json>`: send the JSON, validated and compacted, as a text message.
    case json(String)
    /// `/file <path>`: send the file's bytes as one binary message.
    case file(path: String)
    /// `/text <path>`: send the file as one text message (it must be UTF-8).
    case text(path: String)
    /// `/status`: show the connection's state and counters.
    case status
    /// `/quit`: close with 1000 and leave.
    case quit

    /// One entry of `/help`.
    public struct Description: Sendable {
        /// The command's name with its slash, e.g. `/close`.
        public var name: String
        /// Its arguments, e.g. `[code [reason]]`.
        public var arguments: String
        /// One line on what it does.
        public var summary: String
    }

    /// Every command, in the order `/help` lists them.
    public static let descriptions: [Description] = [
        Description(name: "/help", arguments: "", summary: "list these commands"),
        Description(name: "/close", arguments: "[code [reason]]", summary: "close the connection (default code 1000)"),
        Description(name: "/ping", arguments: "[data]", summary: "send a ping (up to 125 bytes of data)"),
        Description(name: "/pong", arguments: "[data]", summary: "send an unsolicited pong"),
        Description(name: "/json", arguments: "<json>", summary: "validate the JSON and send it compact as text"),
        Description(name: "/file", arguments: "<path>", summary: "send a file's bytes as one binary message"),
        Description(name: "/text", arguments: "<path>", summary: "send a UTF-8 file as one text message"),
        Description(name: "/status", arguments: "", summary: "show state, URL, protocol, counters, uptime"),
        Description(name: "/quit", arguments: "", summary: "close with 1000 and exit"),
    ]
}

/// What a line typed at the prompt (or read from input) asks for.
public enum InputLine: Hashable, Sendable {
    /// Send this text as a text message.
    case text(String)
    /// Run this command.
    case command(SlashCommand)

    /// Reads a line; with `slashCommands` off every line is text.
    ///
    /// `//x` sends the literal text `/x`.
    public init(parsing line: String, slashCommands: Bool) throws(InputError) {
        guard slashCommands, line.hasPrefix("/") else {
            self = .text(line)
            return
        }
        if line.hasPrefix("//") {
            self = .text(String(line.dropFirst()))
            return
        }
        let body = line.dropFirst()
        let name = body.prefix(while: { $0 != " " && $0 != "\t" })
        var argument = body.dropFirst(name.count)
        if let first = argument.first, first == " " || first == "\t" {
            argument = argument.dropFirst()
        }
        self = .command(try SlashCommand(name: String(name), argument: argument))
    }
}

extension SlashCommand {
    /// The longest reason a close frame can carry: 125 bytes less the 2-byte code.
    public static let maximumCloseReasonBytes = 123
    /// The longest payload a ping or pong can carry.
    public static let maximumControlPayloadBytes = 125

    init(name: String, argument: Substring) throws(InputError) {
        let trimmed = argument.trimmingASCIIWhitespace()
        switch name {
        case "help":
            self = .help
        case "quit", "exit":
            self = .quit
        case "status":
            self = .status
        case "close":
            self = try Self.parseClose(trimmed)
        case "ping", "pong":
            let payload = Array(argument.utf8)
            guard payload.count <= Self.maximumControlPayloadBytes else {
                throw InputError("/\(name) data is \(payload.count) bytes; the limit is \(Self.maximumControlPayloadBytes)")
            }
            self = name == "ping" ? .ping(payload) : .pong(payload)
        case "json":
            guard !trimmed.isEmpty else {
                throw InputError("usage: /json <json>")
            }
            do {
                self = .json(try JSONText.compact(String(trimmed)))
            } catch {
                throw InputError("not sent: \(error)")
            }
        case "file", "text":
            let path = Self.unquoted(trimmed)
            guard !path.isEmpty else {
                throw InputError("usage: /\(name) <path>")
            }
            self = name == "file" ? .file(path: path) : .text(path: path)
        default:
            throw InputError("unknown command '/\(name)' (type /help for the list, // to send a leading slash)")
        }
    }

    private static func parseClose(_ argument: Substring) throws(InputError) -> SlashCommand {
        guard !argument.isEmpty else {
            return .close(code: .normalClosure, reason: "")
        }
        let codeText = argument.prefix(while: { $0 != " " && $0 != "\t" })
        let reason = String(argument.dropFirst(codeText.count).trimmingASCIIWhitespace())
        let code = try CloseCode(validating: String(codeText))
        guard reason.utf8.count <= Self.maximumCloseReasonBytes else {
            throw InputError("close reason is \(reason.utf8.count) bytes; the limit is \(Self.maximumCloseReasonBytes)")
        }
        return .close(code: code, reason: reason)
    }

    private static func unquoted(_ text: Substring) -> String {
        if text.count >= 2, let first = text.first, first == "\"" || first == "'", text.last == first {
            return String(text.dropFirst().dropLast())
        }
        return String(text)
    }
}

extension CloseCode {
    /// Parses a close code a user wants to send, refusing the ones the protocol forbids.
    public init(validating text: String) throws(InputError) {
        guard let value = UInt16(text) else {
            throw InputError("'\(text)' is not a close code (use 1000-1003, 1007-1014 or 3000-4999)")
        }
        let code = CloseCode(value)
        guard code.isValidOnTheWire else {
            throw InputError("close code \(value) cannot be sent (use 1000-1003, 1007-1014 or 3000-4999)")
        }
        self = code
    }
}

/// Why a line of input or an argument could not be used.
public struct InputError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { self.message }
}
