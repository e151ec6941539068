import ManagementAPI
import NIOCore

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

    /// `[tap] intercept`: more hosts to decrypt besides `api.jwplayer.com` and the upstream's.
    public var intercept: [String] = []
    /// `[tap] tunnel`: the only hosts a tap listening beyond loopback tunnels to (a tap on
    /// loopback serves only this machine's jobs, and tunnels anywhere).
    public var tunnel: [String] = []
    /// `--tap-tls` / `[tap] tls_listen`: a listener that speaks TLS itself, for clients that
    /// take a host name but keep port 443 (jwplatform's `host=`).
    public var tlsHost: String?
    public var tlsPort = 443
    /// The authority's files; nil: the tap decrypts nothing (a CONNECT to an API host is a 502).
    public var authority: AuthorityFiles?
    /// `[[job]]`: names for the jobs whose program, script or User-Agent they match.
    public var jobRules: [JobRule] = []
    /// Where the tap reads who is calling (`/proc`); nil: it does not look, and a call's job
    /// is its User-Agent's product or `?`.
    public var procRoot: String? = "/proc"

    public var rules: ProxyRules {
        ProxyRules(intercept: intercept, upstream: upstream, tunnel: Self.isLoopback(host) ? nil : tunnel)
    }

    /// 127.0.0.0/8, ::1 or localhost: only this machine's processes reach it.
    static func isLoopback(_ host: String) -> Bool {
        if host.lowercased() == "localhost" { return true }
        guard let address = try? SocketAddress(ipAddress: host, port: 0) else { return false }
        switch address {
        case .v4(let v4): return UInt32(bigEndian: v4.address.sin_addr.s_addr) >> 24 == 127
        case .v6: return address.ipAddress == "::1"
        case .unixDomainSocket: return false
        }
    }

    /// The names the authority must permit: the hosts decrypted and the TLS listener's address.
    public var permittedNames: PermittedNames {
        var names = PermittedNames(rules.interceptHosts)
        if let tlsHost { names.insert(tlsHost) }
        return names
    }

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
