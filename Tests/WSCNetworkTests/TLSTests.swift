import NIOSSL
import Testing
import WSCCore
import WSCTestSupport

@testable import WSCNetwork

@Suite("wss:// against a NIO TLS server", .timeLimit(.minutes(1)))
struct TLSTests {
    static func serverContext(certificate: String, key: String) throws -> NIOSSLContext {
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
        )
        return try NIOSSLContext(configuration: configuration)
    }

    @Test("trusted with --ca: by host name (SNI) and by IP literal")
    func trustedCA() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let context = try Self.serverContext(certificate: certificates.serverCertificate, key: certificates.serverKey)
        let server = try await ScriptedServer.start(tls: context)
        defer { Task { await server.stop() } }
        for host in ["localhost", "127.0.0.1"] {
            let harness = try ClientHarness(url: "wss://\(host):\(server.port)/") {
                $0.tls.caFile = certificates.caFile
            }
            let opened = await harness.waitForOpen()
            guard case .open = opened.last else {
                Issue.record("\(host): expected open, got \(opened)")
                continue
            }
            harness.client.send(.text("over tls"))
            #expect(await harness.waitForMessages(1) == [.text("over tls")])
            harness.client.close()
            #expect(await harness.waitForClose().closeInfo?.wasClean == true)
        }
    }

    @Test("an untrusted certificate fails with a TLS error; -k skips the check")
    func untrusted() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let context = try Self.serverContext(certificate: certificates.serverCertificate, key: certificates.serverKey)
        let server = try await ScriptedServer.start(tls: context)
        defer { Task { await server.stop() } }
        let events = try await ClientHarness(url: "wss://127.0.0.1:\(server.port)/").waitForClose()
        let error = try #require(events.errors.first)
        #expect(error.kind == .tls)
        #expect(ExitStatus(failedWith: error) == .unavailable)

        let insecure = try ClientHarness(url: "wss://127.0.0.1:\(server.port)/") { $0.tls.skipVerification = true }
        let opened = await insecure.waitForOpen()
        guard case .open = opened.last else {
            Issue.record("expected open with verification off, got \(opened)")
            return
        }
        insecure.client.close()
        _ = await insecure.waitForClose()
    }

    @Test("a certificate for another host fails hostname verification")
    func wrongHost() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let context = try Self.serverContext(
            certificate: certificates.otherHostCertificate,
            key: certificates.otherHostKey
        )
        let server = try await ScriptedServer.start(tls: context)
        defer { Task { await server.stop() } }
        let events = try await ClientHarness(url: "wss://localhost:\(server.port)/") {
            $0.tls.caFile = certificates.caFile
        }.waitForClose()
        let error = try #require(events.errors.first)
        #expect(error.kind == .tls)
    }

    @Test("a server that asks for a client certificate: refused without --cert, open with it")
    func clientCertificate() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificates.serverCertificate).map {
                .certificate($0)
            },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: certificates.serverKey, format: .pem))
        )
        configuration.certificateVerification = .noHostnameVerification
        configuration.trustRoots = .file(certificates.caFile)
        let server = try await ScriptedServer.start(tls: try NIOSSLContext(configuration: configuration))
        defer { Task { await server.stop() } }

        let without = try ClientHarness(url: "wss://127.0.0.1:\(server.port)/") { $0.tls.caFile = certificates.caFile }
        let refused = await without.waitForClose()
        #expect(!refused.contains { if case .open = $0 { true } else { false } })
        #expect(refused.closeInfo?.wasClean == false)

        let with = try ClientHarness(url: "wss://127.0.0.1:\(server.port)/") { configuration in
            configuration.tls.caFile = certificates.caFile
            configuration.tls.certificateFile = certificates.clientCertificate
            configuration.tls.privateKeyFile = certificates.clientKey
        }
        let opened = await with.waitForOpen()
        guard case .open = opened.last else {
            Issue.record("expected open with a client certificate, got \(opened)")
            return
        }
        with.client.close()
        #expect(await with.waitForClose().closeInfo?.wasClean == true)
    }
}
