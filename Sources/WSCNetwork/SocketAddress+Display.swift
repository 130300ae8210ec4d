import NIOCore

extension SocketAddress {
    /// `127.0.0.1:5000`, `[::1]:5000` or a socket path, as people write addresses.
    var displayText: String {
        guard let ip = self.ipAddress else {
            // A Unix socket's client has no name of its own.
            let path = self.pathname ?? ""
            return path.isEmpty ? "a Unix socket" : path
        }
        let host = ip.contains(":") ? "[\(ip)]" : ip
        return self.port.map { "\(host):\($0)" } ?? host
    }
}
