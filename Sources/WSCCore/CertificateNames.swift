/// The issuer and subject of an X.509 certificate, read from its DER bytes.
///
/// Only what explaining a rejected certificate needs: whether it issued itself, and
/// the common names. The bytes come from the peer, so every length is checked and a
/// malformed certificate gives nil, never a trap.
public struct CertificateNames: Sendable, Equatable {
    /// The issuer's distinguished name, as DER.
    public var issuer: ArraySlice<UInt8>
    /// The subject's distinguished name, as DER.
    public var subject: ArraySlice<UInt8>

    /// Whether the certificate names itself as its issuer (self-signed, or a root).
    public var isSelfIssued: Bool { self.issuer.elementsEqual(self.subject) }

    /// The issuer's common name (CN), if it has one.
    public var issuerCommonName: String? { Self.commonName(in: self.issuer) }

    /// The subject's common name (CN), if it has one.
    public var subjectCommonName: String? { Self.commonName(in: self.subject) }

    /// Reads the names from a DER certificate; nil if it is not one.
    public init?(der: [UInt8]) {
        // Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL,
        //   serialNumber, signature, issuer, validity, subject, ... }, ... }
        guard let certificate = DERElement(in: der[...]), certificate.tag == 0x30,
            let tbs = DERElement(in: certificate.content), tbs.tag == 0x30
        else {
            return nil
        }
        var fields: [DERElement] = []
        var rest = tbs.content
        while fields.count < 6, let field = DERElement(in: rest) {
            fields.append(field)
            rest = rest[field.end...]
        }
        if fields.first?.tag == 0xA0 {
            fields.removeFirst()
        }
        guard fields.count >= 5, fields[2].tag == 0x30, fields[4].tag == 0x30 else {
            return nil
        }
        self.issuer = fields[2].content
        self.subject = fields[4].content
    }

    /// The first CN attribute of a Name (a SEQUENCE of SETs of type-and-value SEQUENCEs).
    static func commonName(in name: ArraySlice<UInt8>) -> String? {
        let commonNameType: [UInt8] = [0x55, 0x04, 0x03]  // 2.5.4.3
        var sets = name
        while let set = DERElement(in: sets) {
            sets = sets[set.end...]
            var attributes = set.content
            while let attribute = DERElement(in: attributes) {
                attributes = attributes[attribute.end...]
                guard let type = DERElement(in: attribute.content), type.tag == 0x06,
                    type.content.elementsEqual(commonNameType),
                    let value = DERElement(in: attribute.content[type.end...])
                else {
                    continue
                }
                return String(decoding: value.content, as: UTF8.self)
            }
        }
        return nil
    }
}
