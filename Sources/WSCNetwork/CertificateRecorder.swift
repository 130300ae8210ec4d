import NIOCore
import NIOSSL
import WSCCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Watches the verification of the server's certificates, to explain a refusal in words.
///
/// BoringSSL calls the callback once per certificate of the chain, root first and the
/// server's own (leaf) last, with its verdict; the recorder keeps the first refused one
/// and the leaf, and never changes a verdict. Used on the channel's event loop only.
final class CertificateRecorder {
    /// The first certificate that failed verification, as facts.
    private(set) var rejection: CertificateRejection?
    /// The last certificate seen: the server's own.
    private(set) var leaf: NIOSSLCertificate?

    /// The callback for `NIOSSLClientHandler`: records, and returns the verdict unchanged.
    func verify(_ result: NIOSSLVerificationResult, _ certificate: NIOSSLCertificate) -> NIOSSLVerificationResult {
        self.leaf = certificate
        if result == .failed, self.rejection == nil {
            self.rejection = CertificateRejection(
                names: (try? certificate.toDERBytes()).flatMap { CertificateNames(der: $0) },
                notValidBefore: Int64(certificate.notValidBefore),
                notValidAfter: Int64(certificate.notValidAfter)
            )
        }
        return result
    }

    /// The DNS names and IP addresses the server's certificate is for.
    var leafNames: [String] {
        guard let leaf else {
            return []
        }
        // NIOSSL's only accessor for subjectAltName (underscored, but public).
        return leaf._subjectAlternativeNames().compactMap { name in
            switch name.nameType {
            case .dnsName: String(decoding: name.contents, as: UTF8.self)
            case .ipAddress: try? SocketAddress(packedIPAddress: ByteBuffer(bytes: name.contents), port: 0).ipAddress
            default: nil
            }
        }
    }

    /// The words for a failed TLS handshake, using what verification saw.
    func explain(_ error: Error, host: String) -> String {
        if let error = error as? NIOSSLExtraError, error == .failedToValidateHostname {
            let names = self.leafNames
            let forNames = names.isEmpty ? "" : " (it is for \(names.joined(separator: ", ")))"
            return "the server's certificate is not valid for \(host)\(forNames)"
        }
        let codes = TLSAlert.reasonCodes(in: "\(error)")
        if codes.contains("CERTIFICATE_VERIFY_FAILED"), let rejection = self.rejection {
            return rejection.explanation(now: Int64(time(nil)))
        }
        if let words = codes.lazy.compactMap({ TLSAlert.explanation(of: $0) }).first {
            return words
        }
        if let code = codes.last {
            return code
        }
        let text = ConnectionError.describe(error)
        return TLSAlert.explanation(ofUncoded: text) ?? text
    }
}
