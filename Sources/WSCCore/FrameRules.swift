/// RFC 6455's rules for a frame that arrived: its bits, its mask, its opcode, and what a
/// close frame may carry.
///
/// A pure value: the connection handler asks it about each frame and carries out the
/// verdict (deliver, answer, or fail the connection with the code it names). A peer that
/// breaks a rule is data here, never an exception.
public struct FrameRules: Sendable {
    /// Which end we are: clients must receive unmasked frames, servers masked ones.
    public var role: ConnectionRole

    public init(role: ConnectionRole) {
        self.role = role
    }

    /// What a frame is, once its header passed the rules.
    public enum Kind: Equatable, Sendable {
        case text
        case binary
        case continuation
        case ping
        case pong
        case close
    }

    /// The verdict on a frame's header.
    public enum HeaderVerdict: Equatable, Sendable {
        /// The frame is allowed; a server unmasks it with the key it came with.
        case accept(Kind)
        /// The frame breaks the protocol: fail the connection with this code and message.
        case violation(CloseCode, String)
    }

    /// The verdict on a close frame's payload.
    public enum CloseVerdict: Equatable, Sendable {
        /// A close with no code (an empty payload), or with a valid code and UTF-8 reason.
        case close(code: CloseCode?, reason: String)
        /// The payload breaks the protocol: fail the connection with this code and message.
        case violation(CloseCode, String)
    }

    /// Checks a frame's header: reserved bits, the opcode, a control frame's FIN and
    /// length, and the mask for our role.
    ///
    /// `opcode` is the header's 4-bit opcode. No extension wsc agrees to uses RSV2 or RSV3;
    /// RSV1 (permessage-deflate) belongs on data frames only. A control frame is never
    /// fragmented and carries at most 125 bytes (RFC 6455 5.5).
    public func header(
        opcode: UInt8,
        fin: Bool = true,
        rsv1: Bool,
        rsv2: Bool,
        rsv3: Bool,
        masked: Bool,
        length: Int = 0
    ) -> HeaderVerdict {
        guard !rsv2, !rsv3 else {
            return .violation(.protocolError, "frame with RSV2 or RSV3 set, which no agreed extension uses")
        }
        let kind: Kind
        switch opcode {
        case 0x0: kind = .continuation
        case 0x1: kind = .text
        case 0x2: kind = .binary
        case 0x8: kind = .close
        case 0x9: kind = .ping
        case 0xA: kind = .pong
        default:
            let what = opcode & 0x8 != 0 ? "control" : "data"
            return .violation(.protocolError, "frame with reserved \(what) opcode \(opcode)")
        }
        guard !rsv1 || kind == .text || kind == .binary || kind == .continuation else {
            return .violation(.protocolError, "control frame with RSV1 set")
        }
        switch kind {
        case .text, .binary, .continuation:
            break
        case .close, .ping, .pong:
            guard fin else {
                return .violation(.protocolError, "fragmented control frame")
            }
            guard length <= 125 else {
                return .violation(.protocolError, "control frame longer than 125 bytes")
            }
        }
        switch (self.role, masked) {
        case (.client, false), (.server, true):
            return .accept(kind)
        case (.client, true):
            return .violation(.protocolError, "the server sent a masked frame")
        case (.server, false):
            return .violation(.protocolError, "the client sent an unmasked frame")
        }
    }

    /// Checks a close frame's (unmasked) payload: empty, or a valid code and a UTF-8 reason.
    public static func closePayload<Bytes: Collection<UInt8>>(_ payload: Bytes) -> CloseVerdict {
        switch payload.count {
        case 0:
            return .close(code: nil, reason: "")
        case 1:
            return .violation(.protocolError, "close frame with a 1-byte payload")
        default:
            let second = payload.index(after: payload.startIndex)
            let code = CloseCode(UInt16(payload[payload.startIndex]) << 8 | UInt16(payload[second]))
            guard code.isValidOnTheWire else {
                return .violation(.protocolError, "close frame with invalid code \(code.rawValue)")
            }
            guard let reason = String(validating: payload[payload.index(after: second)...], as: UTF8.self) else {
                return .violation(.invalidPayloadData, "close reason is not valid UTF-8")
            }
            return .close(code: code, reason: reason)
        }
    }
}
