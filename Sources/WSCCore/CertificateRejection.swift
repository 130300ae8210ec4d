/// A server certificate that failed verification, and why, in words.
///
/// Built from what the TLS library hands over during verification: the certificate
/// that failed (its names and validity period). The library itself only says
/// `CERTIFICATE_VERIFY_FAILED`; this tells the user which of the usual reasons it is.
public struct CertificateRejection: Sendable, Equatable {
    /// The certificate's issuer and subject, if its DER could be read.
    public var names: CertificateNames?
    /// The start of its validity, in seconds since 1970 (UTC).
    public var notValidBefore: Int64
    /// The end of its validity, in seconds since 1970 (UTC).
    public var notValidAfter: Int64

    public init(names: CertificateNames?, notValidBefore: Int64, notValidAfter: Int64) {
        self.names = names
        self.notValidBefore = notValidBefore
        self.notValidAfter = notValidAfter
    }

    /// Why the certificate was refused at `now` (seconds since 1970), with what to do.
    ///
    /// An expired or not yet valid certificate says so first; otherwise one that issued
    /// itself is self-signed, and any other was issued by a CA this machine does not trust.
    public func explanation(now: Int64) -> String {
        let hint = "(--ca FILE trusts its CA; -k skips verification)"
        let subject = self.names?.subjectCommonName.map { " \"\($0)\"" } ?? ""
        if now > self.notValidAfter {
            return
                "the server's certificate\(subject) expired at \(Self.time(self.notValidAfter)) (-k skips verification)"
        }
        if now < self.notValidBefore {
            return
                "the server's certificate\(subject) is not valid before \(Self.time(self.notValidBefore)) (-k skips verification)"
        }
        guard let names = self.names else {
            return "the server's certificate is not trusted \(hint)"
        }
        if names.isSelfIssued {
            return "the server's certificate\(subject) is self-signed, not issued by a trusted CA \(hint)"
        }
        let issuer = names.issuerCommonName.map { " \"\($0)\"" } ?? ""
        return "the server's certificate\(subject) was issued by\(issuer), a CA not trusted here \(hint)"
    }

    /// `2026-11-20T13:01:17Z`.
    static func time(_ seconds: Int64) -> String {
        let stamp = NDJSON.timestamp(milliseconds: seconds &* 1000)
        guard let dot = stamp.firstIndex(of: ".") else {
            return stamp
        }
        return String(stamp[..<dot]) + "Z"
    }
}
