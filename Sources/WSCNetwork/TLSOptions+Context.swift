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
            if let (chain, key) = try self.loadIdentity() {
                configuration.certificateChain = chain
                configuration.privateKey = key
            }
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ConnectionError(.tls, "TLS set-up failed: \(error)")
        }
    }

    /// The server TLS context (`--listen` with `--cert`).
    ///
    /// It holds our certificate, and with `--ca` a demand for a client certificate signed by that
    /// CA.
    func makeServerContext() throws(ConnectionError) -> NIOSSLContext {
        do {
            guard let (chain, key) = try self.loadIdentity() else {
                throw ConnectionError(.tls, "serving wss:// needs --cert")
            }
            var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: key)
            if let caFile = self.caFile {
                configuration.trustRoots = .file(caFile)
                configuration.certificateVerification = .noHostnameVerification
            }
            return try NIOSSLContext(configuration: configuration)
        } catch let error as ConnectionError {
            throw error
        } catch {
            throw ConnectionError(.tls, "TLS set-up failed: \(error)")
        }
    }

    /// The certificate chain and key of `--cert` and `--key`; nil without `--cert`.
    ///
    /// The key defaults to the `--cert` file.
    private func loadIdentity() throws -> ([NIOSSLCertificateSource], NIOSSLPrivateKeySource)? {
        guard let certificateFile = self.certificateFile else {
            return nil
        }
        let chain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: self.privateKeyFile ?? certificateFile, format: .pem)
        return (chain, .privateKey(key))
    }
}
