import NIOCore

extension SocketAddress {
    /// `127.0.0.1:5000` or `[::1]:5000`, as people write addresses.
    var displayText: String {
        guard let ip = self.ipAddress else {
            return self.pathname ?? "\(self)"
        }
        let host = ip.contains(":") ? "[\(ip)]" : ip
        return self.port.map { "\(host):\($0)" } ?? host
    }
}
