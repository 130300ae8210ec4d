import Testing
import WSCCore

/// Explaining a refused server certificate: DER names, validity, and TLS reason codes.
@Suite("Certificate refusals in words")
struct CertificateRejectionTests {
    /// One DER element (lengths up to 65535).
    static func der(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        switch content.count {
        case ..<0x80: [tag, UInt8(content.count)] + content
        case ..<0x100: [tag, 0x81, UInt8(content.count)] + content
        default: [tag, 0x82, UInt8(content.count >> 8), UInt8(content.count & 0xFF)] + content
        }
    }

    /// A Name with an organisation and a common name.
    static func name(_ commonName: String) -> [UInt8] {
        let organisation = der(0x31, der(0x30, der(0x06, [0x55, 0x04, 0x0A]) + der(0x0C, Array("wsc".utf8))))
        let common = der(0x31, der(0x30, der(0x06, [0x55, 0x04, 0x03]) + der(0x0C, Array(commonName.utf8))))
        return der(0x30, organisation + common)
    }

    /// A certificate's outline: version, serial, algorithm, issuer, validity, subject, key.
    static func certificate(issuer: String, subject: String) -> [UInt8] {
        let algorithm = der(0x30, der(0x06, [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02]))
        let tbs = der(
            0x30,
            der(0xA0, der(0x02, [2])) + der(0x02, [0x01, 0x23]) + algorithm + name(issuer)
                + der(0x30, der(0x17, Array("261120130117Z".utf8)) + der(0x17, Array("261122130117Z".utf8)))
                + name(subject) + der(0x30, algorithm + der(0x03, [0, 1, 2, 3]))
        )
        return der(0x30, tbs + algorithm + der(0x03, [0] + Array(repeating: 7, count: 200)))
    }

    @Test("issuer and subject are read; self-issued when they are the same")
    func names() throws {
        let issued = try #require(CertificateNames(der: Self.certificate(issuer: "wsc test CA", subject: "server")))
        #expect(issued.issuerCommonName == "wsc test CA")
        #expect(issued.subjectCommonName == "server")
        #expect(!issued.isSelfIssued)
        let selfSigned = try #require(
            CertificateNames(der: Self.certificate(issuer: "localhost", subject: "localhost"))
        )
        #expect(selfSigned.isSelfIssued)
    }

    @Test("a truncated or altered certificate gives nil or names, never a trap")
    func malformed() {
        let bytes = Self.certificate(issuer: "a CA", subject: "a server")
        for end in 0..<bytes.count {
            // Every length is checked: a certificate cut anywhere has no names.
            #expect(CertificateNames(der: Array(bytes[..<end])) == nil, "cut after \(end) of \(bytes.count) bytes")
        }
        for index in bytes.indices {
            var altered = bytes
            altered[index] ^= 0xFF
            _ = CertificateNames(der: altered)
        }
        #expect(CertificateNames(der: [0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]) == nil)
        #expect(CertificateNames(der: [0x30, 0x85, 1, 1, 1, 1, 1]) == nil)
    }

    @Test("expired, not yet valid, self-signed, or from an untrusted CA, in that order")
    func explanations() throws {
        let issued = CertificateNames(der: Self.certificate(issuer: "wsc test CA", subject: "server"))
        let selfSigned = CertificateNames(der: Self.certificate(issuer: "localhost", subject: "localhost"))
        // 2026-11-20T13:01:17Z and two days later.
        let rejection = CertificateRejection(names: issued, notValidBefore: 1_795_179_677, notValidAfter: 1_795_352_477)
        #expect(
            rejection.explanation(now: 1_795_352_478)
                == "the server's certificate \"server\" expired at 2026-11-22T13:01:17Z (-k skips verification)"
        )
        #expect(
            rejection.explanation(now: 1_795_179_676)
                == "the server's certificate \"server\" is not valid before 2026-11-20T13:01:17Z (-k skips verification)"
        )
        #expect(
            rejection.explanation(now: 1_795_200_000)
                == "the server's certificate \"server\" was issued by \"wsc test CA\", a CA not trusted here (--ca FILE trusts its CA; -k skips verification)"
        )
        let own = CertificateRejection(names: selfSigned, notValidBefore: 1_795_179_677, notValidAfter: 1_795_352_477)
        #expect(
            own.explanation(now: 1_795_200_000)
                == "the server's certificate \"localhost\" is self-signed, not issued by a trusted CA (--ca FILE trusts its CA; -k skips verification)"
        )
        let unreadable = CertificateRejection(names: nil, notValidBefore: 0, notValidAfter: .max)
        #expect(
            unreadable.explanation(now: 1)
                == "the server's certificate is not trusted (--ca FILE trusts its CA; -k skips verification)"
        )
    }

    @Test("BoringSSL's reason codes are picked out of its error text; common ones get words")
    func reasonCodes() {
        let text =
            "sslError([Error: 268436572 error:1000045c:SSL routines:OPENSSL_internal:TLSV1_ALERT_CERTIFICATE_REQUIRED at /x/tls_record.cc:491])"
        #expect(TLSAlert.reasonCodes(in: text) == ["TLSV1_ALERT_CERTIFICATE_REQUIRED"])
        #expect(
            TLSAlert.explanation(of: "TLSV1_ALERT_CERTIFICATE_REQUIRED")
                == "the server requires a client certificate (give one with --cert and --key)"
        )
        #expect(
            TLSAlert.explanation(of: "WRONG_VERSION_NUMBER")
                == "the server does not speak TLS on this port (a ws:// server?)"
        )
        #expect(TLSAlert.explanation(of: "SOMETHING_ELSE") == nil)
        #expect(TLSAlert.reasonCodes(in: "no codes here; OPENSSL_internal:") == [])
        #expect(
            TLSAlert.explanation(ofUncoded: "sslError([Error:  EOF during handshake])")
                == "the server closed the connection during the TLS handshake (a ws:// server on this port?)"
        )
        #expect(TLSAlert.explanation(ofUncoded: "something else") == nil)
    }
}
