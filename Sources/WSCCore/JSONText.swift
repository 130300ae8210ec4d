/// Validates JSON text (RFC 8259) and rewrites it compact or indented, keeping key order,
/// number spelling and string escapes exactly as given.
public enum JSONText {
    /// The deepest nesting accepted; deeper input is refused rather than risking the stack.
    public static let maximumDepth = 512

    /// The same JSON with every insignificant space removed.
    public static func compact(_ text: String) throws(JSONError) -> String {
        var formatter = Formatter(input: Array(text.utf8), indent: nil)
        return try formatter.format()
    }

    /// The same JSON indented by two spaces per level.
    public static func pretty(_ text: String) throws(JSONError) -> String {
        var formatter = Formatter(input: Array(text.utf8), indent: 2)
        return try formatter.format()
    }

    /// Whether the text is a JSON object or array (what is worth pretty-printing).
    public static func isStructured(_ text: String) -> Bool {
        guard let first = text.utf8.first(where: { !Formatter.isSpace($0) }),
            first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
        else {
            return false
        }
        return (try? Self.compact(text)) != nil
    }

    struct Formatter {
        let input: [UInt8]
        let indent: Int?
        var index = 0
        var output: [UInt8] = []

        init(input: [UInt8], indent: Int?) {
            self.input = input
            self.indent = indent
            self.output.reserveCapacity(input.count)
        }

        static func isSpace(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
        }

        mutating func format() throws(JSONError) -> String {
            self.skipSpace()
            try self.value(depth: 0)
            self.skipSpace()
            guard self.index == self.input.count else {
                throw self.error("unexpected text after the JSON value")
            }
            return String(decoding: self.output, as: UTF8.self)
        }

        func error(_ message: String) -> JSONError {
            JSONError(message: message, offset: self.index)
        }

        var current: UInt8? { self.index < self.input.count ? self.input[self.index] : nil }

        mutating func skipSpace() {
            while let byte = self.current, Self.isSpace(byte) {
                self.index += 1
            }
        }

        mutating func newline(depth: Int) {
            guard let indent = self.indent else {
                return
            }
            self.output.append(0x0A)
            self.output.append(contentsOf: repeatElement(0x20, count: indent * depth))
        }

        mutating func value(depth: Int) throws(JSONError) {
            guard depth < JSONText.maximumDepth else {
                var error = self.error("nested deeper than \(JSONText.maximumDepth) levels, the most wsc takes")
                error.isOverLimit = true
                throw error
            }
            guard let byte = self.current else {
                throw self.error("unexpected end of input, expected a value")
            }
            switch byte {
            case UInt8(ascii: "{"): try self.container(depth: depth, close: UInt8(ascii: "}"), isObject: true)
            case UInt8(ascii: "["): try self.container(depth: depth, close: UInt8(ascii: "]"), isObject: false)
            case UInt8(ascii: "\""): try self.string()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try self.number()
            case UInt8(ascii: "t"): try self.literal("true")
            case UInt8(ascii: "f"): try self.literal("false")
            case UInt8(ascii: "n"): try self.literal("null")
            default: throw self.error("unexpected character '\(Self.printable(byte))', expected a value")
            }
        }

        mutating func container(depth: Int, close: UInt8, isObject: Bool) throws(JSONError) {
            self.output.append(self.input[self.index])
            self.index += 1
            self.skipSpace()
            if self.current == close {
                self.output.append(close)
                self.index += 1
                return
            }
            while true {
                self.newline(depth: depth + 1)
                if isObject {
                    guard self.current == UInt8(ascii: "\"") else {
                        throw self.error("expected a string key")
                    }
                    try self.string()
                    self.skipSpace()
                    guard self.current == UInt8(ascii: ":") else {
                        throw self.error("expected ':' after the key")
                    }
                    self.index += 1
                    self.output.append(UInt8(ascii: ":"))
                    if self.indent != nil {
                        self.output.append(0x20)
                    }
                    self.skipSpace()
                }
                try self.value(depth: depth + 1)
                self.skipSpace()
                guard let byte = self.current else {
                    throw self.error("unexpected end of input, expected ',' or '\(Self.printable(close))'")
                }
                self.index += 1
                if byte == close {
                    self.newline(depth: depth)
                    self.output.append(close)
                    return
                }
                guard byte == UInt8(ascii: ",") else {
                    self.index -= 1
                    throw self.error("expected ',' or '\(Self.printable(close))'")
                }
                self.output.append(byte)
                self.skipSpace()
            }
        }

        mutating func string() throws(JSONError) {
            let start = self.index
            self.index += 1
            while let byte = self.current {
                switch byte {
                case UInt8(ascii: "\""):
                    self.index += 1
                    self.output.append(contentsOf: self.input[start..<self.index])
                    return
                case UInt8(ascii: "\\"):
                    self.index += 1
                    guard let escaped = self.current else {
                        throw self.error("unterminated string")
                    }
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                        UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        self.index += 1
                    case UInt8(ascii: "u"):
                        self.index += 1
                        for _ in 0..<4 {
                            guard let hex = self.current, Self.isHexDigit(hex) else {
                                throw self.error("bad \\u escape")
                            }
                            self.index += 1
                        }
                    default:
                        throw self.error("bad escape '\\\(Self.printable(escaped))'")
                    }
                case 0x00..<0x20:
                    throw self.error("control character in a string (escape it)")
                default:
                    self.index += 1
                }
            }
            throw self.error("unterminated string")
        }

        mutating func number() throws(JSONError) {
            let start = self.index
            if self.current == UInt8(ascii: "-") {
                self.index += 1
            }
            guard let first = self.current, Self.isDigit(first) else {
                throw self.error("expected a digit")
            }
            self.index += 1
            if first != UInt8(ascii: "0") {
                self.skipDigits()
            }
            if self.current == UInt8(ascii: ".") {
                self.index += 1
                guard let digit = self.current, Self.isDigit(digit) else {
                    throw self.error("expected a digit after '.'")
                }
                self.skipDigits()
            }
            if self.current == UInt8(ascii: "e") || self.current == UInt8(ascii: "E") {
                self.index += 1
                if self.current == UInt8(ascii: "+") || self.current == UInt8(ascii: "-") {
                    self.index += 1
                }
                guard let digit = self.current, Self.isDigit(digit) else {
                    throw self.error("expected a digit in the exponent")
                }
                self.skipDigits()
            }
            self.output.append(contentsOf: self.input[start..<self.index])
        }

        mutating func skipDigits() {
            while let byte = self.current, Self.isDigit(byte) {
                self.index += 1
            }
        }

        mutating func literal(_ word: StaticString) throws(JSONError) {
            let bytes = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            guard self.input.count - self.index >= bytes.count,
                self.input[self.index..<(self.index + bytes.count)].elementsEqual(bytes)
            else {
                throw self.error("unexpected character '\(Self.printable(self.input[self.index]))', expected a value")
            }
            self.output.append(contentsOf: bytes)
            self.index += bytes.count
        }

        static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

        static func isHexDigit(_ byte: UInt8) -> Bool {
            Self.isDigit(byte) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
        }

        static func printable(_ byte: UInt8) -> String {
            byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
        }
    }
}

/// Why a text is not valid JSON, and where.
public struct JSONError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    /// The byte offset where the problem was found.
    public var offset: Int
    /// Whether the text may be valid JSON, but goes past a limit of wsc's (the nesting depth).
    public var isOverLimit = false

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String {
        self.isOverLimit
            ? "JSON \(self.message) (at byte \(self.offset))" : "invalid JSON at byte \(self.offset): \(self.message)"
    }
}
