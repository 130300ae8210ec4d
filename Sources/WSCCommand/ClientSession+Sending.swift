import Dispatch
import NIOCore
import NIOPosix
import WSCCore
import WSCNetwork
import WSCTerminal

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Sending now, or on the next connection while there is none (`--reconnect`).
extension ClientSession {
    // MARK: Sending

    /// Sends a message now, or on the next connection while there is none.
    func send(_ message: Message) {
        if self.isDown {
            self.outbox.append(.message(message))
        } else {
            self.client?.send(message)
        }
    }

    /// Sends a file now, or on the next connection while there is none.
    func send(_ file: OutgoingFile) {
        if self.isDown {
            self.outbox.append(.file(file))
        } else {
            self.client?.send(file)
        }
    }

    /// Sends messages in order, with one flush.
    func send(contentsOf messages: [Message]) {
        if self.isDown {
            self.outbox += messages.map { .message($0) }
        } else {
            self.client?.send(contentsOf: messages)
        }
    }

    /// Sends binary messages in order, with one flush, each payload a buffer of its own that
    /// goes to the socket without a copy; on the next connection while there is none.
    func send(binary payloads: consuming [ByteBuffer]) {
        if self.isDown {
            self.outbox += payloads.map { .message(.binary(Array($0.readableBytesView))) }
        } else {
            self.client?.send(binary: consume payloads)
        }
    }

    /// Returns once more input may be read: there is a connection with room to send.
    ///
    /// While reconnecting, that is once the next connection started (or the session ended).
    func whenReady() async {
        while self.isDown, !self.finished {
            await withCheckedContinuation { self.upWaiters.append($0) }
        }
        try? await self.client?.whenReady().get()
    }
}
