import Foundation
import Testing

extension EndToEnd {
    /// No value of a numeric option, of any size or form, crashes wsc: each is refused with 64.
    @Suite("numeric options refuse extreme values with 64", .timeLimit(.minutes(5)))
    struct OptionValueTests {
        /// An option, what else it needs to be valid, and whether it takes seconds.
        struct NumericOption: CustomTestStringConvertible, Sendable {
            let name: String
            let companions: [String]
            let takesSeconds: Bool

            var testDescription: String { self.name }
        }

        static let options: [NumericOption] = [
            NumericOption(name: "--timeout", companions: [], takesSeconds: true),
            NumericOption(name: "-w", companions: [], takesSeconds: true),
            NumericOption(name: "--connect-timeout", companions: [], takesSeconds: true),
            NumericOption(name: "--close-timeout", companions: [], takesSeconds: true),
            NumericOption(name: "--ping-interval", companions: [], takesSeconds: true),
            NumericOption(name: "--ping-timeout", companions: ["--ping-interval", "1"], takesSeconds: true),
            NumericOption(name: "--reconnect-max", companions: ["--reconnect"], takesSeconds: true),
            NumericOption(name: "--count", companions: [], takesSeconds: false),
            NumericOption(name: "--max-redirects", companions: ["-L"], takesSeconds: false),
            NumericOption(name: "--max-message-size", companions: [], takesSeconds: false),
            NumericOption(name: "--chunk-size", companions: [], takesSeconds: false),
        ]

        /// Huge, tiny, negative, exponent forms and non-numbers: wrong for every option.
        static let values = [
            "1e16", "9.3e15", "1e300", "1e400", "-1e16", "-1e400", "99999999999999999999999",
            "-99999999999999999999999",
            "1e-300", "4.9e-324", "-5", "-0.5", "-2", "nan", "-nan", "inf", "-inf", "infinity", "abc", "", " ", "1..2",
            "1,5", "--", "0x", "１",
        ]

        @Test("every numeric option, every extreme value", arguments: Self.options)
        func refused(option: NumericOption) throws {
            for value in Self.values {
                // The URL is never reached: nothing listens on port 1, and validation comes first.
                let arguments = [option.name, value] + option.companions + ["ws://127.0.0.1:1/"]
                let run = try WSCRun.run(arguments, timeout: 20)
                #expect(run.status == 64, "\(option.name) '\(value)': status \(run.status), \(run.standardError)")
                #expect(!run.standardError.contains("Fatal error"), "\(option.name) '\(value)'")
                if option.takesSeconds, run.status == 64, Double(value) != nil {
                    // A number out of range is answered with the range.
                    #expect(
                        run.standardError.contains("to 1000000000"),
                        "\(option.name) '\(value)': \(run.standardError)"
                    )
                }
            }
        }

        @Test("the largest time is taken, and one past it is refused with the range")
        func largestTime() throws {
            let taken = try WSCRun.run(["--timeout", "1000000000", "-x", "hi", "ws://127.0.0.1:1/"], timeout: 20)
            #expect(taken.status == 69, "\(taken.standardError)")
            let refused = try WSCRun.run(["--timeout", "1000000001", "ws://127.0.0.1:1/"], timeout: 20)
            #expect(refused.status == 64)
            #expect(refused.standardError.contains("--timeout takes seconds from 0.001 to 1000000000"))
        }

        @Test("-w takes 0 and -1 besides its range, and says so")
        func waitExceptions() throws {
            for value in ["0", "-1", "0.001", "1000000000"] {
                let run = try WSCRun.run(["-w", value, "-x", "hi", "ws://127.0.0.1:1/"], timeout: 20)
                #expect(run.status == 69, "-w \(value): \(run.standardError)")
            }
            let refused = try WSCRun.run(["-w", "1e-300", "ws://127.0.0.1:1/"], timeout: 20)
            #expect(
                refused.standardError.contains(
                    "--wait takes seconds from 0.001 to 1000000000, or 0 to close at once, or -1 to wait"
                )
            )
        }

        @Test("a port out of range or negative after -l is refused as a port, not as a missing value")
        func listenPorts() throws {
            for value in ["-1", "65536", "1e16", "99999999999999999999999", "abc"] {
                let run = try WSCRun.run(["-l", value], timeout: 20)
                #expect(run.status == 64, "-l \(value)")
                #expect(
                    run.standardError.contains("--listen takes [host:]port (port 0 to 65535)"),
                    "-l \(value): \(run.standardError)"
                )
            }
        }
    }
}
