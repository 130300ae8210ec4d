import Testing
import WSCCore

@Suite("PerMessageDeflate")
struct PerMessageDeflateTests {
    @Test("the server's answer: defaults, every parameter, quoted values, case of names")
    func answers() throws {
        #expect(try PerMessageDeflate(answer: "permessage-deflate") == PerMessageDeflate())
        let full = try PerMessageDeflate(
            answer:
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=\"9\""
        )
        #expect(full.serverNoContextTakeover && full.clientNoContextTakeover)
        #expect(full.serverMaxWindowBits == 10 && full.clientMaxWindowBits == 9)
        #expect(
            full.description
                == "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9"
        )
        #expect(try PerMessageDeflate(answer: "Permessage-Deflate;Server_No_Context_Takeover").serverNoContextTakeover)
    }

    @Test("answers that break RFC 7692 section 7.1 fail the handshake")
    func invalidAnswers() {
        let invalid = [
            "permessage-deflate; server_max_window_bits=7",
            "permessage-deflate; server_max_window_bits=16",
            "permessage-deflate; server_max_window_bits",
            "permessage-deflate; client_max_window_bits",
            "permessage-deflate; client_max_window_bits=0x9",
            "permessage-deflate; server_no_context_takeover=1",
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            "permessage-deflate; x_custom",
            "x-webkit-deflate-frame",
        ]
        for answer in invalid {
            #expect(throws: ConnectionError.self, "\(answer)") { try PerMessageDeflate(answer: answer) }
        }
    }

    @Test("a server takes the first offer it can, declines the broken ones, and answers in kind")
    func accepting() {
        #expect(PerMessageDeflate.accept(offers: []) == nil)
        #expect(PerMessageDeflate.accept(offers: ["x-webkit-deflate-frame"]) == nil)
        #expect(PerMessageDeflate.accept(offers: [PerMessageDeflate.clientOffer]) == PerMessageDeflate())
        let chosen = PerMessageDeflate.accept(offers: [
            "permessage-deflate; server_max_window_bits=20",
            "permessage-deflate; unknown_parameter",
            "permessage-deflate; server_max_window_bits=10; client_no_context_takeover; client_max_window_bits=12",
            "permessage-deflate",
        ])
        #expect(chosen == PerMessageDeflate(clientNoContextTakeover: true, serverMaxWindowBits: 10))
        #expect(chosen?.description == "permessage-deflate; client_no_context_takeover; server_max_window_bits=10")
        #expect(
            PerMessageDeflate.accept(offers: ["permessage-deflate; server_no_context_takeover"])?
                .serverNoContextTakeover == true
        )
        #expect(PerMessageDeflate.accept(offers: ["permessage-deflate; client_max_window_bits=4"]) == nil)
    }

    @Test("each end compresses with its own window and context rule, and inflates the other's")
    func roles() {
        let agreement = PerMessageDeflate(
            serverNoContextTakeover: true,
            clientNoContextTakeover: false,
            serverMaxWindowBits: 9,
            clientMaxWindowBits: 12
        )
        #expect(agreement.sendWindowBits(as: .client) == 12 && agreement.sendWindowBits(as: .server) == 9)
        #expect(!agreement.resetsSendContext(as: .client) && agreement.resetsSendContext(as: .server))
        #expect(agreement.resetsReceiveContext(as: .client) && !agreement.resetsReceiveContext(as: .server))
    }

    @Test("the client's check of the 101: permessage-deflate only when offered, once, and valid")
    func validation() throws {
        let offering = HandshakeValidation(offeredSubprotocols: [], offeredCompression: true)
        let agreed = try offering.validate(responseHeaders: [
            HeaderField(name: "Sec-WebSocket-Extensions", value: "permessage-deflate; server_no_context_takeover")
        ])
        #expect(agreed.compression == PerMessageDeflate(serverNoContextTakeover: true))
        #expect(agreed.extensions == ["permessage-deflate; server_no_context_takeover"])
        #expect(try offering.validate(responseHeaders: []).compression == nil)
        #expect(throws: ConnectionError.self) {
            try offering.validate(responseHeaders: [
                HeaderField(name: "Sec-WebSocket-Extensions", value: "permessage-deflate, permessage-deflate")
            ])
        }
        #expect(throws: ConnectionError.self) {
            try offering.validate(responseHeaders: [
                HeaderField(name: "Sec-WebSocket-Extensions", value: "permessage-deflate; server_max_window_bits=3")
            ])
        }
        let plain = HandshakeValidation(offeredSubprotocols: [], offeredCompression: false)
        #expect(throws: ConnectionError.self) {
            try plain.validate(responseHeaders: [
                HeaderField(name: "Sec-WebSocket-Extensions", value: "permessage-deflate")
            ])
        }
    }

    @Test("--listen accepts an offer unless compression is off")
    func serverPolicy() {
        let request = [
            HeaderField(name: "Connection", value: "Upgrade"),
            HeaderField(name: "Sec-WebSocket-Extensions", value: "permessage-deflate; client_max_window_bits"),
        ]
        #expect(
            ServerHandshakePolicy().decide(requestMethod: "GET", requestHeaders: request)
                == .accept(subprotocol: nil, compression: PerMessageDeflate())
        )
        #expect(
            ServerHandshakePolicy(compression: false).decide(requestMethod: "GET", requestHeaders: request)
                == .accept(subprotocol: nil)
        )
    }
}
