import Testing
import WSCCore

@Suite("ServerHandshakePolicy")
struct ServerHandshakePolicyTests {
    func headers(_ pairs: [(String, String)]) -> [HeaderField] {
        pairs.map { HeaderField(name: $0.0, value: $0.1) }
    }

    /// The decision on a GET upgrade request with `Connection: Upgrade` and these headers.
    func decide(_ policy: ServerHandshakePolicy, _ headers: [HeaderField]) -> ServerHandshakePolicy.Decision {
        policy.decide(
            requestMethod: "GET",
            requestHeaders: [HeaderField(name: "Connection", value: "keep-alive, Upgrade")] + headers
        )
    }

    @Test("with no --origin, any request is accepted, with or without an Origin")
    func anyOrigin() {
        let policy = ServerHandshakePolicy()
        #expect(self.decide(policy, []) == .accept(subprotocol: nil))
        #expect(self.decide(policy, self.headers([("Origin", "http://evil.example")])) == .accept(subprotocol: nil))
    }

    @Test("with --origin, only listed Origins pass (case and a trailing slash aside); others and none get 403")
    func restrictedOrigins() {
        let policy = ServerHandshakePolicy(allowedOrigins: ["http://localhost:3000", "https://app.example"])
        #expect(self.decide(policy, self.headers([("Origin", "http://localhost:3000")])) == .accept(subprotocol: nil))
        #expect(self.decide(policy, self.headers([("origin", "HTTPS://App.Example/")])) == .accept(subprotocol: nil))
        let refusals = [
            self.headers([("Origin", "http://evil.example")]),
            self.headers([("Origin", "http://localhost:3001")]),
            [],
            self.headers([("Origin", "http://localhost:3000"), ("Origin", "http://evil.example")]),
        ].map { self.decide(policy, $0) }
        for refusal in refusals {
            guard case .refuse(let answer) = refusal else {
                Issue.record("accepted: \(refusal)")
                continue
            }
            #expect(answer.status == 403)
        }
        #expect(
            refusals[0]
                == .refuse(.init(status: 403, reason: "Forbidden: Origin 'http://evil.example' is not allowed."))
        )
    }

    @Test("the subprotocol is our first one the client offered; none in common selects none")
    func subprotocolSelection() {
        let policy = ServerHandshakePolicy(subprotocols: ["v2.chat", "v1.chat"])
        #expect(
            self.decide(policy, self.headers([("Sec-WebSocket-Protocol", "v1.chat, v2.chat")]))
                == .accept(subprotocol: "v2.chat")
        )
        #expect(
            self.decide(
                policy,
                self.headers([("Sec-WebSocket-Protocol", "mqtt"), ("Sec-WebSocket-Protocol", "v1.chat")])
            )
                == .accept(subprotocol: "v1.chat")
        )
        #expect(self.decide(policy, self.headers([("Sec-WebSocket-Protocol", "mqtt")])) == .accept(subprotocol: nil))
        #expect(
            self.decide(ServerHandshakePolicy(), self.headers([("Sec-WebSocket-Protocol", "mqtt")]))
                == .accept(subprotocol: nil)
        )
    }

    @Test("a request that was not upgraded is told why: 426, 403 or 400")
    func refusals() {
        let policy = ServerHandshakePolicy(allowedOrigins: ["http://ok"])
        let websocket = [("Upgrade", "websocket"), ("Connection", "Upgrade")]
        #expect(policy.refusal(requestMethod: "GET", requestHeaders: []).status == 426)
        #expect(policy.refusal(requestMethod: "GET", requestHeaders: self.headers(websocket)).status == 403)
        let allowed = websocket + [("Origin", "http://ok")]
        #expect(
            policy.refusal(requestMethod: "POST", requestHeaders: self.headers(allowed)).reason.contains(
                "GET request, not POST"
            )
        )
        #expect(
            policy.refusal(
                requestMethod: "GET",
                requestHeaders: self.headers(allowed + [("Sec-WebSocket-Version", "8")])
            ).reason.contains("(8)")
        )
        #expect(
            policy.refusal(
                requestMethod: "GET",
                requestHeaders: self.headers(allowed + [("Sec-WebSocket-Version", "13")])
            )
                == .init(status: 400, reason: "Missing or malformed Sec-WebSocket-Key.")
        )
    }

    @Test("an upgrade that is not a GET, or lacks Connection: Upgrade, gets 400 (RFC 6455 4.2.1)")
    func requestLine() {
        let policy = ServerHandshakePolicy()
        guard
            case .refuse(let post) = policy.decide(
                requestMethod: "POST",
                requestHeaders: self.headers([("Connection", "Upgrade")])
            )
        else {
            Issue.record("a POST was accepted")
            return
        }
        #expect(post.status == 400)
        guard
            case .refuse(let bare) = policy.decide(
                requestMethod: "GET",
                requestHeaders: self.headers([("Connection", "keep-alive")])
            )
        else {
            Issue.record("a request without Connection: Upgrade was accepted")
            return
        }
        #expect(bare == .init(status: 400, reason: "The request lacks 'Connection: Upgrade'."))
    }
}
