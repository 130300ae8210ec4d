import NIOSSL
import WSCCore

extension TLSOptions {
    /// The client TLS context these options describe: system roots, plus `--ca`, minus verification with `-k`.
    func makeClientContext() throws(ConnectionError) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caFile = self.caFile {
            configuration.additionalTrustRoots = [.file(caFile)]
        }
        if self.skipVerification {
            configuration.certificateVerification = .none
        }
        do {
            if let certificateFile = self.certificateFile {
                let chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
                configuration.certificateChain = chain.map { .certificate($0) }
                let keyFile = self.privateKeyFile ?? certificateFile
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
            }
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ConnectionError(.tls, "TLS set-up failed: \(error)")
        }
    }
}
