import Testing
import WSCCore

@Suite("UTF8Validator and IncomingTextCheck")
struct UTF8ValidatorTests {
    /// Whether the validator accepts `bytes` fed in pieces cut at `cuts`.
    func accepts(_ bytes: [UInt8], cuts: [Int] = []) -> Bool {
        var validator = UTF8Validator()
        var start = 0
        for end in cuts + [bytes.count] {
            guard validator.consume(Array(bytes[start..<end])) else {
                return false
            }
            start = end
        }
        return true
    }

    @Test("it agrees with Swift's own validation on every sequence of up to three chosen bytes, whole and cut anywhere")
    func agreesWithTheStandardLibrary() {
        // Bytes at every boundary of Table 3-7, and some in between.
        let interesting: [UInt8] = [
            0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE,
            0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
        ]
        var sequences: [[UInt8]] = [[]]
        for _ in 0..<3 {
            sequences = sequences.flatMap { prefix in interesting.map { prefix + [$0] } }
        }
        for bytes in sequences {
            let whole = String(validating: bytes, as: UTF8.self) != nil
            var validator = UTF8Validator()
            let prefixValid = validator.consume(bytes)
            let atBoundary = validator.isAtBoundary
            // Valid as a whole: accepted, and at a boundary. Invalid: refused, or accepted
            // only as the valid start of a longer character.
            #expect((prefixValid && atBoundary) == whole)
            for cut in 0...bytes.count {
                #expect(self.accepts(bytes, cuts: [cut]) == prefixValid)
            }
        }
    }

    @Test("known cases: overlong, surrogates, above U+10FFFF, and long ASCII runs around a bad byte")
    func knownCases() {
        #expect(self.accepts(Array("κόσμε héllo 😀".utf8)))
        #expect(!self.accepts([0xC0, 0xAF]))
        #expect(!self.accepts([0xED, 0xA0, 0x80]))
        #expect(!self.accepts([0xF4, 0x90, 0x80, 0x80]))
        #expect(self.accepts(Array(repeating: 0x61, count: 1000)))
        #expect(!self.accepts(Array(repeating: 0x61, count: 1000) + [0xFF] + Array(repeating: 0x61, count: 20)))
        var validator = UTF8Validator()
        let first = validator.consume([0xFF] as [UInt8])
        let after = validator.consume([0x61] as [UInt8])
        #expect(!first && !after)
    }

    /// Feeds a piece of payload to a check.
    func feed(_ check: inout IncomingTextCheck, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { check.payloadArrived($0) }
    }

    @Test("Autobahn 6.4.1's message fails at its second fragment, with the control frame between passed over")
    func failsFastAcrossFragments() {
        // κόσμε, then 0xF4 0x90 0x80 0x80 (above U+10FFFF), then edited.
        let part1: [UInt8] = [0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5]
        let part2: [UInt8] = [0xF4, 0x90, 0x80, 0x80]
        var check = IncomingTextCheck()
        check.frameStarted(opcode: 0x1, fin: false, rsv1: false)
        let piece1 = feed(&check, part1)
        #expect(piece1)
        check.frameStarted(opcode: 0x9, fin: true, rsv1: false)
        #expect(!check.isChecking)
        let piece2 = feed(&check, [0xFF])
        #expect(piece2)
        check.frameStarted(opcode: 0x0, fin: false, rsv1: false)
        #expect(check.isChecking)
        let piece3 = feed(&check, part2)
        #expect(!piece3)
    }

    @Test("a character cut between fragments is whole; binary, compressed and finished messages are not checked")
    func whatIsChecked() {
        var check = IncomingTextCheck()
        check.frameStarted(opcode: 0x1, fin: false, rsv1: false)
        let piece4 = feed(&check, [0xE2, 0x82])
        #expect(piece4)
        check.frameStarted(opcode: 0x0, fin: true, rsv1: false)
        let piece5 = feed(&check, [0xAC])
        #expect(piece5)
        check.frameStarted(opcode: 0x0, fin: true, rsv1: false)
        #expect(!check.isChecking)
        check.frameStarted(opcode: 0x2, fin: false, rsv1: false)
        #expect(!check.isChecking)
        check.frameStarted(opcode: 0x0, fin: true, rsv1: false)
        #expect(!check.isChecking)
        check.frameStarted(opcode: 0x1, fin: false, rsv1: true)
        #expect(!check.isChecking)
        check.frameStarted(opcode: 0x0, fin: true, rsv1: false)
        #expect(!check.isChecking)
        check.frameStarted(opcode: 0x1, fin: true, rsv1: false)
        let piece6 = feed(&check, ([0xFF] as [UInt8]))
        #expect(!piece6)
    }
}
