/// `HOST:PORT` for `--listen`, and whether it is loopback only.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: Int

    /// Loopback, on a port the system picks: an embedded recorder's admin server, which viewers
    /// find through the runtime file.
    public static let loopbackAnyPort = ListenAddress(host: "127.0.0.1", port: 0)

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init(parsing text: String) throws(ParseError) {
        let host: Substring
        let port: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            port = text[close...].dropFirst().drop { $0 == ":" }
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        } else {
            throw ParseError(message: "expected HOST:PORT, e.g. 127.0.0.1:8787, got '\(text)'")
        }
        guard !host.isEmpty, let number = Int(port), (0...65_535).contains(number) else {
            throw ParseError(message: "expected HOST:PORT with a port from 0 to 65535, got '\(text)'")
        }
        self.host = String(host)
        self.port = number
    }

    public struct ParseError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// 127.0.0.0/8, ::1 and localhost: reachable from this machine only.
    public var isLoopback: Bool {
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".")
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    public var description: String { Self.describe(host: host, port: port) }

    /// `host:port`, with brackets around an IPv6 host.
    public static func describe(host: String, port: Int) -> String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
