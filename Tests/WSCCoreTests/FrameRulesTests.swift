import Testing
import WSCCore

/// RFC 6455's rules for arriving frames, over every role, opcode, reserved bit and mask.
@Suite("FrameRules")
struct FrameRulesTests {
    /// The opcodes RFC 6455 defines, and what they are.
    static let defined: [UInt8: FrameRules.Kind] = [
        0x0: .continuation, 0x1: .text, 0x2: .binary, 0x8: .close, 0x9: .ping, 0xA: .pong,
    ]

    @Test("every opcode, reserved bit and mask, for both roles", arguments: [ConnectionRole.client, .server])
    func headers(role: ConnectionRole) {
        let rules = FrameRules(role: role)
        for opcode in UInt8(0)...15 {
            for bits in 0..<16 {
                let (rsv1, rsv2, rsv3, masked) = (bits & 1 != 0, bits & 2 != 0, bits & 4 != 0, bits & 8 != 0)
                let verdict = rules.header(opcode: opcode, rsv1: rsv1, rsv2: rsv2, rsv3: rsv3, masked: masked)
                let expected: FrameRules.HeaderVerdict
                if rsv2 || rsv3 {
                    expected = .violation(.protocolError, "frame with RSV2 or RSV3 set, which no agreed extension uses")
                } else if let kind = Self.defined[opcode] {
                    let isData = kind == .text || kind == .binary || kind == .continuation
                    if rsv1 && !isData {
                        expected = .violation(.protocolError, "control frame with RSV1 set")
                    } else if role == .client && masked {
                        expected = .violation(.protocolError, "the server sent a masked frame")
                    } else if role == .server && !masked {
                        expected = .violation(.protocolError, "the client sent an unmasked frame")
                    } else {
                        expected = .accept(kind)
                    }
                } else {
                    let what = opcode >= 8 ? "control" : "data"
                    expected = .violation(.protocolError, "frame with reserved \(what) opcode \(opcode)")
                }
                #expect(verdict == expected, "opcode \(opcode), bits \(bits)")
            }
        }
    }

    @Test("a control frame is never fragmented and carries at most 125 bytes; data frames may be both")
    func controlFrames() {
        let rules = FrameRules(role: .client)
        for (opcode, kind) in Self.defined.sorted(by: { $0.key < $1.key }) {
            let isControl = opcode >= 8
            for fin in [true, false] {
                for length in [0, 125, 126, 70_000] {
                    let verdict = rules.header(
                        opcode: opcode,
                        fin: fin,
                        rsv1: false,
                        rsv2: false,
                        rsv3: false,
                        masked: false,
                        length: length
                    )
                    let expected: FrameRules.HeaderVerdict
                    if isControl && !fin {
                        expected = .violation(.protocolError, "fragmented control frame")
                    } else if isControl && length > 125 {
                        expected = .violation(.protocolError, "control frame longer than 125 bytes")
                    } else {
                        expected = .accept(kind)
                    }
                    #expect(verdict == expected, "opcode \(opcode), fin \(fin), length \(length)")
                }
            }
        }
    }

    @Test("close payloads: empty, one byte, codes valid and not, reasons UTF-8 and not")
    func closePayloads() {
        #expect(FrameRules.closePayload([UInt8]()) == .close(code: nil, reason: ""))
        #expect(FrameRules.closePayload([0x03]) == .violation(.protocolError, "close frame with a 1-byte payload"))
        #expect(FrameRules.closePayload([0x03, 0xE8]) == .close(code: .normalClosure, reason: ""))
        #expect(
            FrameRules.closePayload([0x0F, 0xA1] + Array("bye ☺".utf8))
                == .close(code: CloseCode(4001), reason: "bye ☺")
        )
        for invalid: UInt16 in [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535] {
            let bytes = [UInt8(invalid >> 8), UInt8(invalid & 0xFF)]
            #expect(
                FrameRules.closePayload(bytes) == .violation(.protocolError, "close frame with invalid code \(invalid)")
            )
        }
        for valid: UInt16 in [1000, 1003, 1007, 1014, 3000, 4999] {
            let bytes = [UInt8(valid >> 8), UInt8(valid & 0xFF)]
            #expect(FrameRules.closePayload(bytes) == .close(code: CloseCode(valid), reason: ""))
        }
        #expect(
            FrameRules.closePayload([0x03, 0xE8, 0xC3, 0x28])
                == .violation(.invalidPayloadData, "close reason is not valid UTF-8")
        )
        // A slice that does not start at index 0 is read from its own start.
        let framed: [UInt8] = [0x88, 0x02, 0x03, 0xE9]
        #expect(FrameRules.closePayload(framed.dropFirst(2)) == .close(code: .goingAway, reason: ""))
    }
}
