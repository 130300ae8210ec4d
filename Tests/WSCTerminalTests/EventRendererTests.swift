import Testing
import WSCCore

@testable import WSCTerminal

@Suite("How file progress is shown")
struct EventRendererTests {
    @Test("a file of known size: percent while sending, its size when sent")
    func knownSize() {
        let sending = TransferProgress(name: "a.bin", sentBytes: 1 << 20, totalBytes: 4 << 20, isComplete: false)
        #expect(EventRenderer.progressText(sending) == "sending a.bin: 25% of 4.0 MiB")
        let sent = TransferProgress(name: "a.bin", sentBytes: 4 << 20, totalBytes: 4 << 20, isComplete: true)
        #expect(EventRenderer.progressText(sent) == "sent a.bin (4.0 MiB)")
    }

    @Test("a pipe or /proc file, whose size is known only at its end: bytes so far, then all it had")
    func unknownSize() {
        let sending = TransferProgress(name: "/dev/fd/63", sentBytes: 3 << 20, totalBytes: nil, isComplete: false)
        #expect(EventRenderer.progressText(sending) == "sending /dev/fd/63: 3.0 MiB so far")
        let sent = TransferProgress(name: "/proc/self/status", sentBytes: 1377, totalBytes: nil, isComplete: true)
        #expect(EventRenderer.progressText(sent) == "sent /proc/self/status (1.3 KiB)")
    }
}
