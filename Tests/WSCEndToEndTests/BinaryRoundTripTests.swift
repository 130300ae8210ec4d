import Foundation
import Testing

extension EndToEnd {
    /// Big binary messages: byte-exact, streamed, memory bounded.
    @Suite("Binary round trips", .timeLimit(.minutes(3)))
    struct BinaryRoundTripTests {
        @Test("a 32 MiB random file via --file comes back byte-identical; peak RSS well under 4x its size")
        func thirtyTwoMebibytes() throws {
            let server = try PeerServer.pythonWebSockets()
            defer { server.stop() }
            let directory = try Paths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let size = 32 << 20
            let input = directory + "/in.bin"
            let output = directory + "/out.bin"
            let made = try Spawn.measure("exec head -c \(size) /dev/urandom > '\(input)'", environment: [:])
            #expect(made.status == 0)
            let measured = try Spawn.measure(
                "exec '\(Paths.wsc)' --file '\(input)' --binary-format raw ws://127.0.0.1:\(server.port)/ > '\(output)' 2>/dev/null",
                environment: ProcessInfo.processInfo.environment
            )
            #expect(measured.status == 0)
            let compared = try Spawn.measure("exec cmp -s '\(input)' '\(output)'", environment: [:])
            #expect(compared.status == 0, "the bytes that came back differ from the file")
            let attributes = try FileManager.default.attributesOfItem(atPath: output)
            #expect((attributes[.size] as? NSNumber)?.intValue == size)
            // The bound is the feature (a file is streamed, not held): four times the file,
            // so only a wsc holding several copies of it fails.
            #expect(measured.peakKiB * 1024 < size * 4, "peak RSS \(measured.peakKiB) KiB")
        }
    }
}
