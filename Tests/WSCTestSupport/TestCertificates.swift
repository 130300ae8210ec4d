import Foundation

/// A throwaway CA and certificates made with openssl, in a temporary directory.
///
/// The keys are EC P-256: making one takes a millisecond where an RSA-2048 key can take
/// seconds on a loaded machine, which pushed TLS tests past their time limit.
public struct TestCertificates: Sendable {
    public let directory: String
    public var caFile: String { self.directory + "/ca.pem" }
    public var serverCertificate: String { self.directory + "/server.pem" }
    public var serverKey: String { self.directory + "/server.key" }
    public var otherHostCertificate: String { self.directory + "/other.pem" }
    public var otherHostKey: String { self.directory + "/other.key" }
    public var clientCertificate: String { self.directory + "/client.pem" }
    public var clientKey: String { self.directory + "/client.key" }
    public var expiredCertificate: String { self.directory + "/expired.pem" }
    public var expiredKey: String { self.directory + "/expired.key" }
    public var selfSignedCertificate: String { self.directory + "/self.pem" }
    public var selfSignedKey: String { self.directory + "/self.key" }

    /// Makes a CA and the certificates the tests use.
    ///
    /// Those are a server certificate for localhost/127.0.0.1/::1, one for another host, a
    /// client certificate, one for localhost that expired yesterday (signed by the CA), and a
    /// self-signed one for localhost.
    public static func make() throws -> TestCertificates {
        let directory = NSTemporaryDirectory() + "wsc-certs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = """
            set -e
            cd '\(directory)'
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 2 -subj '/CN=wsc test CA' \
              -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' 2>/dev/null
            for name in server other client expired; do
              days=2
              case $name in
                server) san='DNS:localhost,IP:127.0.0.1,IP:::1'; usage=serverAuth ;;
                other) san='DNS:other.test'; usage=serverAuth ;;
                client) san='DNS:client.test'; usage=clientAuth ;;
                expired) san='DNS:localhost,IP:127.0.0.1,IP:::1'; usage=serverAuth; days=-1 ;;
              esac
              openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $name.key -out $name.csr -subj "/CN=$name" 2>/dev/null
              printf 'subjectAltName=%s\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=%s\\n' "$san" "$usage" > $name.ext
              openssl x509 -req -in $name.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out $name.pem -days $days \
                -extfile $name.ext 2>/dev/null
            done
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout self.key -out self.pem -days 2 -subj '/CN=localhost' \
              -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1' 2>/dev/null
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CertificateError(status: process.terminationStatus)
        }
        return TestCertificates(directory: directory)
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: self.directory)
    }
}

/// openssl failed while making the test certificates.
public struct CertificateError: Error, CustomStringConvertible {
    public let status: Int32
    public var description: String { "openssl failed with status \(self.status)" }
}
