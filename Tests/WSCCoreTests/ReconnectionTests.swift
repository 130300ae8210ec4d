import Testing
import WSCCore

@Suite("Reconnection")
struct ReconnectionTests {
    static let dropped = CloseInfo.abnormal(initiator: .transport)

    @Test("backoff doubles from 1 s up to the maximum, jitter keeps it between half and all")
    func backoff() {
        var policy = Reconnection(maximumDelay: .seconds(10))
        #expect(
            policy.connectionEnded(Self.dropped, failure: nil, jitter: 1) == .reconnect(attempt: 1, after: .seconds(1))
        )
        #expect(
            policy.connectionEnded(Self.dropped, failure: nil, jitter: 0) == .reconnect(attempt: 2, after: .seconds(1))
        )
        #expect(
            policy.connectionEnded(Self.dropped, failure: nil, jitter: 0.5)
                == .reconnect(attempt: 3, after: .seconds(3))
        )
        #expect(
            policy.connectionEnded(Self.dropped, failure: nil, jitter: 1) == .reconnect(attempt: 4, after: .seconds(8))
        )
        #expect(
            policy.connectionEnded(Self.dropped, failure: nil, jitter: 1) == .reconnect(attempt: 5, after: .seconds(10))
        )
        #expect(
            policy.connectionEnded(Self.dropped, failure: nil, jitter: 0) == .reconnect(attempt: 6, after: .seconds(5))
        )
        for _ in 0..<100 {
            _ = policy.connectionEnded(Self.dropped, failure: nil, jitter: 1)
        }
        #expect(
            policy.connectionEnded(Self.dropped, failure: nil, jitter: 1)
                == .reconnect(attempt: 107, after: .seconds(10))
        )
        // A connection that opened but dropped at once does not start the count over...
        #expect(
            policy.connectionEnded(Self.dropped, failure: nil, openFor: .seconds(2), jitter: 1)
                == .reconnect(attempt: 108, after: .seconds(10))
        )
        // ...one that stayed open for a while does.
        #expect(
            policy.connectionEnded(Self.dropped, failure: nil, openFor: .seconds(10), jitter: 1)
                == .reconnect(attempt: 1, after: .seconds(1))
        )
    }

    @Test("a maximum below the first delay caps every delay")
    func smallMaximum() {
        var policy = Reconnection(maximumDelay: .milliseconds(200))
        #expect(
            policy.connectionEnded(Self.dropped, failure: nil, jitter: 1)
                == .reconnect(attempt: 1, after: .milliseconds(200))
        )
    }

    @Test("worth retrying: drops, keepalive timeouts, 1001, 1012, 1013, connect failures, 5xx, 408, 429")
    func retried() {
        let failed = CloseInfo.abnormal(initiator: .transport)
        #expect(Reconnection.isWorthRetrying(failed, failure: nil))
        #expect(
            Reconnection.isWorthRetrying(
                CloseInfo(code: .goingAway, reason: "", wasClean: true, initiator: .peer),
                failure: nil
            )
        )
        #expect(
            Reconnection.isWorthRetrying(
                CloseInfo(code: .serviceRestart, reason: "", wasClean: true, initiator: .peer),
                failure: nil
            )
        )
        #expect(
            Reconnection.isWorthRetrying(
                CloseInfo(code: .tryAgainLater, reason: "", wasClean: true, initiator: .peer),
                failure: nil
            )
        )
        #expect(Reconnection.isWorthRetrying(failed, failure: ConnectionError(.connect, "refused")))
        #expect(Reconnection.isWorthRetrying(failed, failure: ConnectionError(.timeout, "timed out")))
        for status in [500, 502, 503, 408, 429] {
            #expect(Reconnection.isWorthRetrying(failed, failure: Self.rejected(status)))
        }
    }

    @Test("not worth retrying: the user's close, a clean close, TLS, a broken handshake, 4xx")
    func stopped() {
        var policy = Reconnection()
        let mine = CloseInfo(code: .normalClosure, reason: "", wasClean: true, initiator: .user)
        #expect(policy.connectionEnded(mine, failure: nil, jitter: 0) == .stop)
        #expect(policy.connectionEnded(CloseInfo.abnormal(initiator: .user), failure: nil, jitter: 0) == .stop)
        #expect(
            policy.connectionEnded(
                CloseInfo(code: .normalClosure, reason: "bye", wasClean: true, initiator: .peer),
                failure: nil,
                jitter: 0
            ) == .stop
        )
        #expect(
            policy.connectionEnded(
                CloseInfo(code: CloseCode(4000), reason: "", wasClean: true, initiator: .peer),
                failure: nil,
                jitter: 0
            ) == .stop
        )
        let failed = CloseInfo.abnormal(initiator: .transport)
        #expect(!Reconnection.isWorthRetrying(failed, failure: ConnectionError(.tls, "certificate")))
        #expect(!Reconnection.isWorthRetrying(failed, failure: ConnectionError(.handshake, "bad accept")))
        for status in [400, 401, 403, 404] {
            #expect(!Reconnection.isWorthRetrying(failed, failure: Self.rejected(status)))
        }
        #expect(policy.attempt == 0)
    }

    static func rejected(_ status: Int) -> ConnectionError {
        let rejection = UpgradeRejection(
            status: status,
            statusLine: "HTTP/1.1 \(status)",
            headers: [],
            body: [],
            bodyTruncated: false
        )
        return ConnectionError(.rejected(rejection), "refused")
    }
}
