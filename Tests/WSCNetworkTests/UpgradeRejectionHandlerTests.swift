import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOWebSocket
import Testing
import WSCCore

@testable import WSCNetwork

@Suite("UpgradeRejectionHandler on EmbeddedChannel")
struct UpgradeRejectionHandlerTests {
    @Test("status line, headers and a body cut at 4 KiB")
    func collects() throws {
        let channel = EmbeddedChannel()
        let promise = channel.eventLoop.makePromise(of: UpgradeRejection.self)
        try channel.pipeline.syncOperations.addHandler(UpgradeRejectionHandler(promise: promise))
        let head = HTTPResponseHead(
            version: .http1_1,
            status: .unauthorized,
            headers: HTTPHeaders([("WWW-Authenticate", "Basic")])
        )
        try channel.writeInbound(HTTPClientResponsePart.head(head))
        try channel.writeInbound(HTTPClientResponsePart.body(ByteBuffer(repeating: 0x61, count: 3000)))
        try channel.writeInbound(HTTPClientResponsePart.body(ByteBuffer(repeating: 0x62, count: 3000)))
        try channel.writeInbound(HTTPClientResponsePart.end(nil))
        let rejection = try promise.futureResult.wait()
        #expect(rejection.status == 401)
        #expect(rejection.statusLine == "HTTP/1.1 401 Unauthorized")
        #expect(rejection.headers == [HeaderField(name: "WWW-Authenticate", value: "Basic")])
        #expect(rejection.body.count == 4096 && rejection.bodyTruncated)
        #expect(rejection.body.suffix(1) == [0x62])
    }

    @Test("the connection ends before an answer: a handshake error")
    func noAnswer() throws {
        let channel = EmbeddedChannel()
        let promise = channel.eventLoop.makePromise(of: UpgradeRejection.self)
        try channel.pipeline.syncOperations.addHandler(UpgradeRejectionHandler(promise: promise))
        try channel.close().wait()
        #expect(throws: ConnectionError.self) {
            try promise.futureResult.wait()
        }
    }
}
