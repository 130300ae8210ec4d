import Dispatch
import WSCTerminal

/// Standard output, buffered, and standard error after it.
///
/// Written at 64 KiB, at the end of each turn of the main queue, before any line on standard
/// error (so a shared terminal keeps the order), and when the session ends.
@MainActor
final class StandardOutput {
    /// Called once when standard output is found closed (`| head -1`), or failing (a full disk).
    var onClosed: (@MainActor () -> Void)?
    /// Why standard output failed, when it failed with anything but `EPIPE`: what was received
    /// from then on is lost, which the exit status says (74).
    private(set) var writeFailure: OutputStream.Failure?
    /// Set once standard output is gone: nothing more is written there.
    private(set) var isClosed = false

    /// Bytes not yet written.
    private var buffer: [UInt8] = []
    private var flushScheduled = false
    /// Standard output is written once this much is buffered.
    static let bufferLimit = 64 * 1024

    /// Adds to the buffer; it is written at 64 KiB or at the end of this turn.
    ///
    /// Bytes of 64 KiB or more are written from where they are, after the buffer, rather
    /// than copied into it.
    func write<Bytes: Collection<UInt8>>(_ bytes: Bytes, newline: Bool) {
        guard !self.isClosed else {
            return
        }
        if bytes.count >= Self.bufferLimit {
            self.flush()
            self.writeOut(bytes)
        } else {
            self.buffer.append(contentsOf: bytes)
        }
        if newline {
            self.buffer.append(UInt8(ascii: "\n"))
        }
        if self.buffer.count >= Self.bufferLimit {
            self.flush()
        } else if !self.flushScheduled {
            self.flushScheduled = true
            DispatchQueue.main.async { [weak self] in
                MainActor.assumeIsolated {
                    self?.flush()
                }
            }
        }
    }

    /// A line on standard error, after what was written to standard output before it.
    func diagnostic(_ text: String) {
        self.flush()
        OutputStream.standardError.write(text + "\n")
    }

    /// Writes the buffer (blocking while the reader is slow: that is the back-pressure).
    ///
    /// When the reader is gone, says so through `onClosed`.
    func flush() {
        self.flushScheduled = false
        guard !self.buffer.isEmpty, !self.isClosed else {
            return
        }
        self.writeOut(self.buffer)
        self.buffer.removeAll(keepingCapacity: true)
    }

    /// Writes bytes to standard output now; when the reader is gone, says so through `onClosed`.
    private func writeOut<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
        guard !self.isClosed, let failure = OutputStream.standardOutput.writeAll(bytes) else {
            return
        }
        self.isClosed = true
        if case .failed = failure {
            // A reader that left (EPIPE) had what it wanted; any other error lost replies.
            self.writeFailure = failure
            OutputStream.standardError.write(
                "wsc: cannot write to standard output: \(failure.description); closing\n"
            )
        }
        self.onClosed?()
    }
}
