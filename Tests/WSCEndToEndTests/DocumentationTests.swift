import Foundation
import Testing

extension EndToEnd {
    /// The man page and README describe the options the code has.
    @Suite("Documentation is in step with the code")
    struct DocumentationTests {
        /// The long options `wsc --help` lists.
        static func longOptions() throws -> Set<String> {
            let help = try WSCRun.run(["--help"]).output
            let pattern = try NSRegularExpression(pattern: "--[a-z][a-z-]+")
            let range = NSRange(help.startIndex..., in: help)
            return Set(
                pattern.matches(in: help, range: range).compactMap {
                    Range($0.range, in: help).map { String(help[$0]) }
                }
            )
        }

        /// Whether `text` has `word` as a whole option name: `--reconnect` is not found in
        /// `--reconnect-max`.
        static func mentions(_ text: String, _ word: String) -> Bool {
            let pattern = NSRegularExpression.escapedPattern(for: word) + "(?![a-z-])"
            guard let expression = try? NSRegularExpression(pattern: pattern) else {
                return false
            }
            return expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        }

        @Test("an option is found as a whole name, not inside a longer one")
        func wholeNames() {
            #expect(Self.mentions("use --reconnect-max 5", "--reconnect-max"))
            #expect(!Self.mentions("use --reconnect-max 5", "--reconnect"))
            #expect(Self.mentions("`--reconnect` and --reconnect-max", "--reconnect"))
            #expect(Self.mentions(".It Fl -reconnect\n", "Fl -reconnect"))
        }

        @Test("every long option is in man/wsc.1")
        func manPage() throws {
            let manual = try String(contentsOfFile: Paths.packageRoot + "/man/wsc.1", encoding: .utf8)
            let options = try Self.longOptions()
            #expect(options.count > 20)
            for option in options {
                // mdoc writes --name as `Fl -name`.
                #expect(
                    Self.mentions(manual, "Fl " + option.dropFirst())
                        || Self.mentions(manual, ", " + option.dropFirst()),
                    "\(option) is missing from man/wsc.1"
                )
            }
        }

        @Test("every long option is in the README")
        func readme() throws {
            let readme = try String(contentsOfFile: Paths.packageRoot + "/README.md", encoding: .utf8)
            for option in try Self.longOptions()
            where !["--help", "--version", "--generate-completion-script"].contains(option) {
                #expect(Self.mentions(readme, option), "\(option) is missing from README.md")
            }
        }

        @Test("every slash command is in the man page and the README")
        func slashCommands() throws {
            let manual = try String(contentsOfFile: Paths.packageRoot + "/man/wsc.1", encoding: .utf8)
            let readme = try String(contentsOfFile: Paths.packageRoot + "/README.md", encoding: .utf8)
            for command in [
                "/help", "/close", "/ping", "/pong", "/json", "/file", "/text", "/status", "/quit", "/clients", "/to",
            ] {
                #expect(manual.contains("Ic " + command), "\(command) missing from man/wsc.1")
                #expect(readme.contains(command), "\(command) missing from README.md")
            }
        }
    }
}
