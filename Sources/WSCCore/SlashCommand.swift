/// A command of a prompt: parsed from its name and the rest of the line.
public protocol PromptCommand: Hashable, Sendable {
    /// Parses `/name argument`; the error says what is wrong, or that no such command exists.
    init(name: String, argument: Substring) throws(InputError)
}

/// A command typed at a client's prompt, such as `/close 4000 bye`; the server's prompt
/// (`--listen`) has these too, for every client (see ``ServerCommand``).
public enum SlashCommand: PromptCommand {
    /// `/help`: list the commands.
    case help
    /// `/close [code [reason]]`: start the close handshake (with `--listen`, with every client).
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

    /// Every command of a client's prompt, in the order `/help` lists them.
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

    /// Every command of the `--listen` prompt, in the order `/help` lists them.
    public static let listenDescriptions: [Description] = [
        Description(name: "/help", arguments: "", summary: "list these commands"),
        Description(name: "/clients", arguments: "", summary: "list the connected clients"),
        Description(name: "/to", arguments: "<id> <text>", summary: "send the text to one client"),
        Description(
            name: "/close",
            arguments: "[id] [code [reason]]",
            summary: "close one client, or all (default code 1000)"
        ),
        Description(name: "/ping", arguments: "[data]", summary: "ping every client (up to 125 bytes of data)"),
        Description(name: "/pong", arguments: "[data]", summary: "send every client an unsolicited pong"),
        Description(
            name: "/json",
            arguments: "<json>",
            summary: "validate the JSON and send it compact to every client"
        ),
        Description(name: "/file", arguments: "<path>", summary: "send a file's bytes to every client as binary"),
        Description(name: "/text", arguments: "<path>", summary: "send a UTF-8 file to every client as text"),
        Description(name: "/status", arguments: "", summary: "show the address, clients and counters"),
        Description(name: "/quit", arguments: "", summary: "close every client with 1001 and exit"),
    ]

    /// The commands of a prompt: a client's, or the server's (`--listen`).
    public static func descriptions(for role: ConnectionRole) -> [Description] {
        switch role {
        case .client: Self.descriptions
        case .server: Self.listenDescriptions
        }
    }

    /// What `/help` prints: each command with its arguments and summary, aligned.
    public static func helpText(for role: ConnectionRole) -> String {
        let descriptions = Self.descriptions(for: role)
        let usages = descriptions.map { $0.arguments.isEmpty ? $0.name : "\($0.name) \($0.arguments)" } + ["//text"]
        let summaries = descriptions.map(\.summary) + ["send text that starts with '/'"]
        let width = usages.map(\.count).max() ?? 0
        let lines = zip(usages, summaries).map { usage, summary in
            "  " + usage + String(repeating: " ", count: width - usage.count + 2) + summary
        }
        return "commands:\n" + lines.joined(separator: "\n")
    }
}

/// A command typed at the server's prompt (`--listen`): a client's command, for every
/// client, or one of the server's own.
public enum ServerCommand: PromptCommand {
    /// A command of the client's prompt, carried out for every client.
    case everyClient(SlashCommand)
    /// `/clients`: list the connected clients.
    case clients
    /// `/to ID text`: send the text to one client.
    case to(client: Int, text: String)
    /// `/close ID [code [reason]]`: close one client.
    case closeClient(Int, code: CloseCode?, reason: String)

    public init(name: String, argument: Substring) throws(InputError) {
        let trimmed = argument.trimmingASCIIWhitespace()
        switch name {
        case "clients":
            self = .clients
        case "to":
            self = try Self.parseTo(argument)
        case "close":
            switch try SlashCommand.parseClose(trimmed, clientIdAllowed: true) {
            case (let client?, let code, let reason): self = .closeClient(client, code: code, reason: reason)
            case (nil, let code, let reason): self = .everyClient(.close(code: code, reason: reason))
            }
        default:
            self = .everyClient(try SlashCommand(name: name, argument: argument))
        }
    }

    /// `/to ID text`: the text is everything after the one space that follows the id.
    private static func parseTo(_ argument: Substring) throws(InputError) -> ServerCommand {
        guard let idText = argument.firstWord else {
            throw InputError("usage: /to <id> <text>")
        }
        let client = try SlashCommand.clientId(idText)
        var text = argument.dropFirst(idText.count)
        guard let separator = text.first, separator == " " || separator == "\t" else {
            throw InputError("usage: /to <id> <text>")
        }
        text = text.dropFirst()
        return .to(client: client, text: String(text))
    }
}

/// What a line typed at a prompt (or read from input) asks for: text to send, or one of
/// that prompt's commands.
public enum InputLine<Command: PromptCommand>: Hashable, Sendable {
    /// Send this text as a text message.
    case text(String)
    /// Run this command.
    case command(Command)

    /// Reads a line; with `slashCommands` off every line is text.
    ///
    /// `//x` sends the literal text `/x`. The command type decides which commands exist:
    /// the server's prompt (``ServerCommand``) has `/to`, `/clients` and `/close ID`.
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
        self = .command(try Command(name: String(name), argument: argument))
    }
}

extension SlashCommand {
    /// The longest reason a close frame can carry: 125 bytes less the 2-byte code.
    public static let maximumCloseReasonBytes = 123
    /// The longest payload a ping or pong can carry.
    public static let maximumControlPayloadBytes = 125

    public init(name: String, argument: Substring) throws(InputError) {
        let trimmed = argument.trimmingASCIIWhitespace()
        switch name {
        case "clients", "to":
            throw InputError("/\(name) is a command of the server's prompt (wsc --listen)")
        case "help":
            self = .help
        case "quit", "exit":
            self = .quit
        case "status":
            self = .status
        case "close":
            let (_, code, reason) = try Self.parseClose(trimmed, clientIdAllowed: false)
            self = .close(code: code, reason: reason)
        case "ping", "pong":
            let payload = Array(argument.utf8)
            guard payload.count <= Self.maximumControlPayloadBytes else {
                throw InputError(
                    "/\(name) data is \(payload.count) bytes; the limit is \(Self.maximumControlPayloadBytes)"
                )
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

    /// `[code [reason]]`, or with `clientIdAllowed` `[id] [code [reason]]`.
    ///
    /// An id is written `#2`, or as a bare number below 1000 (close codes start at 1000).
    static func parseClose(
        _ argument: Substring,
        clientIdAllowed: Bool
    ) throws(InputError) -> (client: Int?, code: CloseCode?, reason: String) {
        var rest = argument
        var client: Int?
        if clientIdAllowed, let first = rest.firstWord, first.hasPrefix("#") || (Int(first).map { $0 < 1000 } ?? false)
        {
            client = try Self.clientId(first)
            rest = rest.dropFirst(first.count).trimmingASCIIWhitespace()
        }
        guard let codeText = rest.firstWord else {
            return (client, .normalClosure, "")
        }
        let reason = String(rest.dropFirst(codeText.count).trimmingASCIIWhitespace())
        let code = try CloseCode(validating: String(codeText))
        guard reason.utf8.count <= Self.maximumCloseReasonBytes else {
            throw InputError("close reason is \(reason.utf8.count) bytes; the limit is \(Self.maximumCloseReasonBytes)")
        }
        return (client, code, reason)
    }

    /// A client id: `2` or `#2`.
    static func clientId(_ text: Substring) throws(InputError) -> Int {
        let digits = text.hasPrefix("#") ? text.dropFirst() : text
        guard let id = Int(digits), id > 0 else {
            throw InputError("'\(text)' is not a client id (see /clients)")
        }
        return id
    }

    private static func unquoted(_ text: Substring) -> String {
        if text.count >= 2, let first = text.first, first == "\"" || first == "'", text.last == first {
            return String(text.dropFirst().dropLast())
        }
        // As a shell reads it, and as Tab completion writes it: `\ ` is a space, `\\` a backslash.
        var path = ""
        var escaped = false
        for character in text {
            if !escaped, character == "\\" {
                escaped = true
                continue
            }
            escaped = false
            path.append(character)
        }
        return path
    }
}

extension Substring {
    /// The text up to the first space or tab; nil when empty.
    var firstWord: Substring? {
        let word = self.prefix(while: { $0 != " " && $0 != "\t" })
        return word.isEmpty ? nil : word
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
