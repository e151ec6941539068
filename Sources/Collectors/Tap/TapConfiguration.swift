import ManagementAPI

/// How the tap listens, where it forwards, and whom it knows.
public struct TapConfiguration: Sendable {
    public static let defaultListen = "127.0.0.1:8787"

    public var host: String
    /// 0 picks a free port.
    public var port: Int
    /// Where every call goes, e.g. `https://api.jwplayer.com`; the tap forwards nowhere else.
    public var upstream: String
    /// How long to wait for the upstream before answering 504.
    public var upstreamTimeout: Duration
    /// Request bodies past this are answered 413 and not forwarded.
    public var maxRequestBody: Int
    /// Upstream bodies are forwarded whole; error bodies are decoded up to this many bytes,
    /// after undoing their gzip (the cap that defuses a gzip bomb).
    public var maxDecodedBody: Int
    /// Labels of the tokens the configuration names, by fingerprint.
    public var labels: [Fingerprint: String]
    /// How long a job's connection may send nothing while the tap waits on it: for a request's
    /// head (a half-sent head held its descriptor for ever), for the next part of its body, and
    /// for the next call on a kept-alive connection (nginx's client_header_timeout,
    /// client_body_timeout and keepalive_timeout).
    public var clientTimeout: Duration
    /// Job connections open at once; one more is answered 503 and closed.
    public var maxConnections: Int
    /// Request body bytes held across all connections; a body that would pass it is answered
    /// 503 (300 slow uploads of 16 MiB were 4.5 GiB before).
    public var maxBufferedRequestBytes: Int

    public init(host: String = "127.0.0.1", port: Int = 8787, upstream: String = ManagementClient.Configuration.defaultBaseURL,
                upstreamTimeout: Duration = .seconds(60), maxRequestBody: Int = 16 << 20, maxDecodedBody: Int = 1 << 20,
                labels: [Fingerprint: String] = [:], clientTimeout: Duration = .seconds(60), maxConnections: Int = 1_024,
                maxBufferedRequestBytes: Int = 64 << 20)
    {
        self.host = host
        self.port = port
        self.upstream = upstream
        self.upstreamTimeout = upstreamTimeout
        self.maxRequestBody = maxRequestBody
        self.maxDecodedBody = maxDecodedBody
        self.labels = labels
        self.clientTimeout = clientTimeout
        self.maxConnections = maxConnections
        self.maxBufferedRequestBytes = maxBufferedRequestBytes
    }
}

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
