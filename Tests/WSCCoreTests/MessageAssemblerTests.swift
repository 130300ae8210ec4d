import Testing
import WSCCore

@Suite("MessageAssembler")
struct MessageAssemblerTests {
    @Test("a single-frame message is delivered at once")
    func singleFrame() {
        var assembler = MessageAssembler(maximumMessageSize: 10)
        #expect(assembler.frameReceived(.text, fin: true, length: 5) == .deliverFrame(.text, compressed: false))
        #expect(assembler.frameReceived(.binary, fin: true, length: 10) == .deliverFrame(.binary, compressed: false))
        #expect(!assembler.isAssembling)
    }

    @Test("fragments are assembled in order")
    func fragments() {
        var assembler = MessageAssembler(maximumMessageSize: 100)
        #expect(assembler.frameReceived(.binary, fin: false, length: 3) == .startMessage(.binary))
        #expect(assembler.isAssembling)
        #expect(assembler.frameReceived(.continuation, fin: false, length: 0) == .appendFrame)
        #expect(
            assembler.frameReceived(.continuation, fin: true, length: 4)
                == .appendFrameAndDeliver(.binary, compressed: false)
        )
        #expect(!assembler.isAssembling)
    }

    @Test("a continuation with no message is a protocol error")
    func strayContinuation() {
        var assembler = MessageAssembler(maximumMessageSize: 100)
        guard case .fail(let code, _) = assembler.frameReceived(.continuation, fin: true, length: 1) else {
            Issue.record("expected a failure")
            return
        }
        #expect(code == .protocolError)
    }

    @Test("a new message inside a fragmented one is a protocol error")
    func interleaved() {
        var assembler = MessageAssembler(maximumMessageSize: 100)
        _ = assembler.frameReceived(.text, fin: false, length: 1)
        guard case .fail(let code, _) = assembler.frameReceived(.text, fin: true, length: 1) else {
            Issue.record("expected a failure")
            return
        }
        #expect(code == .protocolError)
    }

    @Test("the size limit counts every fragment")
    func sizeLimit() {
        var assembler = MessageAssembler(maximumMessageSize: 10)
        guard case .fail(let code, _) = assembler.frameReceived(.text, fin: true, length: 11) else {
            Issue.record("expected a failure")
            return
        }
        #expect(code == .messageTooBig)
        _ = assembler.frameReceived(.binary, fin: false, length: 6)
        guard case .fail(let code2, _) = assembler.frameReceived(.continuation, fin: true, length: 5) else {
            Issue.record("expected a failure")
            return
        }
        #expect(code2 == .messageTooBig)
    }
}

extension MessageAssemblerTests {
    @Test("RSV1 marks a compressed message on its first frame, once permessage-deflate is agreed")
    func compressedMessages() {
        var plain = MessageAssembler(maximumMessageSize: 100)
        #expect(
            plain.frameReceived(.text, fin: true, rsv1: true, length: 5)
                == .fail(.protocolError, "frame with RSV1 set, but permessage-deflate was not agreed")
        )

        var assembler = MessageAssembler(maximumMessageSize: 100)
        assembler.compressionAgreed = true
        #expect(
            assembler.frameReceived(.text, fin: true, rsv1: true, length: 5) == .deliverFrame(.text, compressed: true)
        )
        #expect(
            assembler.frameReceived(.binary, fin: true, rsv1: false, length: 5)
                == .deliverFrame(.binary, compressed: false)
        )
        #expect(assembler.frameReceived(.binary, fin: false, rsv1: true, length: 5) == .startMessage(.binary))
        #expect(assembler.frameReceived(.continuation, fin: false, length: 5) == .appendFrame)
        #expect(
            assembler.frameReceived(.continuation, fin: true, length: 5)
                == .appendFrameAndDeliver(.binary, compressed: true)
        )
        #expect(assembler.frameReceived(.text, fin: false, rsv1: true, length: 5) == .startMessage(.text))
        #expect(
            assembler.frameReceived(.continuation, fin: true, rsv1: true, length: 5)
                == .fail(.protocolError, "continuation frame with RSV1 set")
        )
        #expect(!assembler.isAssembling)
    }
}
