/// The reason a TLS library gives for a failed handshake, and what it means for the user.
///
/// BoringSSL describes errors as `error:1000045c:SSL routines:OPENSSL_internal:REASON at
/// file:line`; the reason code is the part worth reading, and a few common ones are
/// better said in words.
public enum TLSAlert {
    /// The reason codes in a BoringSSL error description, in order (`CERTIFICATE_REQUIRED`, …).
    public static func reasonCodes(in description: String) -> [String] {
        var codes: [String] = []
        var rest = Substring(description)
        while let marker = rest.firstRange(ofUTF8: "OPENSSL_internal:") {
            rest = rest[marker.upperBound...]
            let code = rest.prefix { $0.isUppercase || $0.isNumber || $0 == "_" }
            if !code.isEmpty {
                codes.append(String(code))
            }
        }
        return codes
    }

    /// Words for a reason code that users meet often; nil for the others.
    public static func explanation(of code: String) -> String? {
        switch code {
        case "TLSV1_ALERT_CERTIFICATE_REQUIRED":
            "the server requires a client certificate (give one with --cert and --key)"
        case "SSLV3_ALERT_BAD_CERTIFICATE", "TLSV1_ALERT_UNKNOWN_CA", "SSLV3_ALERT_CERTIFICATE_UNKNOWN":
            "the server refused our client certificate (\(code))"
        case "WRONG_VERSION_NUMBER":
            "the server does not speak TLS on this port (a ws:// server?)"
        case "TLSV1_ALERT_PROTOCOL_VERSION", "UNSUPPORTED_PROTOCOL":
            "the server and wsc have no TLS version in common (\(code))"
        case "NO_SHARED_CIPHER", "SSLV3_ALERT_HANDSHAKE_FAILURE":
            "the server refused the handshake (\(code); does it want a client certificate?)"
        default:
            nil
        }
    }

    /// Words for an error that carries no reason code, when it is a common one; nil for others.
    ///
    /// BoringSSL reports a peer that ends TCP in the middle of the handshake (a plain
    /// `ws://` server hanging up on a ClientHello, say) as `EOF during handshake`.
    public static func explanation(ofUncoded text: String) -> String? {
        guard text.contains("EOF during handshake") else {
            return nil
        }
        return "the server closed the connection during the TLS handshake (a ws:// server on this port?)"
    }
}
