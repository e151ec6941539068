import ManagementAPI

/// A token as the configuration names it, with its secret already read.
public struct ConfiguredToken: Sendable, Hashable {
    public let token: Token
    public let siteID: String?
    /// An explicit probe path with its query, e.g. `/v2/webhooks/?page_length=1`.
    public let probePath: String?

    public init(token: Token, siteID: String?, probePath: String?) {
        self.token = token
        self.siteID = siteID
        self.probePath = probePath
    }

    /// The cheap GET that probes this token.
    public var probeRequest: APIRequest {
        if let probePath { return .get(pathAndQuery: probePath) }
        return .probe(siteID: siteID ?? "")
    }
}

/// What the configuration file says, after validation (DESIGN.md section 4).
public struct Configuration: Sendable, Hashable {
    public static let defaultProbesPerMinute = 2
    /// 10% of the 60/min quota: probes never spend more than that.
    public static let maxProbesPerMinute = 6

    /// The file it came from; nil when there was none and defaults apply.
    public var path: String?
    public var apiBase: String
    public var theme: String
    public var probesPerMinute: Int
    public var tokens: [ConfiguredToken]
    /// `[tap] listen`: where `mapitop record` runs its tap; nil runs none (unless `--tap`).
    public var tapListen: ListenAddress?
    /// `[tap] tls_listen`: the tap's TLS listener, for clients that keep port 443.
    public var tapTLSListen: ListenAddress?
    /// `[tap] intercept`: hosts decrypted besides api.jwplayer.com and api_base's host.
    public var tapIntercept: [String] = []
    /// `[tap] tunnel`: the only hosts a tap beyond loopback tunnels to (nil: not given).
    public var tapTunnel: [String]?
    /// `[[job]]`: names for jobs, matched on program, script or User-Agent, in order.
    public var jobRules: [JobRule] = []
    /// `[admin] readers`: users besides the recorder's own who may read its calls and events
    /// through the admin server, by uid (resolved from their names when the file is read).
    public var adminReaders: [UInt32] = []

    public init(path: String? = nil, apiBase: String = ManagementClient.Configuration.defaultBaseURL, theme: String = "default",
                probesPerMinute: Int = Configuration.defaultProbesPerMinute, tokens: [ConfiguredToken] = [],
                tapListen: ListenAddress? = nil)
    {
        self.path = path
        self.apiBase = apiBase
        self.theme = theme
        self.probesPerMinute = probesPerMinute
        self.tokens = tokens
        self.tapListen = tapListen
    }
}
