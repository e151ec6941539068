/// Which hosts the tap decrypts and which it may tunnel to (DESIGN.md section 11).
public struct ProxyRules: Sendable, Equatable {
    /// The API's hosts: `api.jwplayer.com`, the host of `api_base` when it is a name, and
    /// `[tap] intercept`. Calls to them are decrypted, forwarded to `api_base` and recorded.
    public let interceptHosts: Set<String>
    /// Where a blind tunnel may go: nil is anywhere (a tap on loopback serves only this
    /// machine's jobs); beyond loopback (`--allow-remote`) only `[tap] tunnel`, so the tap is
    /// no open relay for the network.
    public let tunnelHosts: Set<String>?

    public static let apiHost = "api.jwplayer.com"

    public init(intercept: [String] = [], upstream: String? = nil, tunnel: [String]? = nil) {
        var hosts: Set<String> = [Self.apiHost]
        for host in intercept { hosts.insert(Self.normal(host)) }
        if let upstream, let host = UpstreamTarget(upstream).tlsHostname { hosts.insert(Self.normal(host)) }
        interceptHosts = hosts
        tunnelHosts = tunnel.map { Set($0.map(Self.normal)) }
    }

    public func isAPIHost(_ host: String) -> Bool { interceptHosts.contains(Self.normal(host)) }

    /// What a CONNECT to `target` becomes.
    func decide(_ target: ConnectTarget) -> ConnectDecision {
        let host = Self.normal(target.host)
        if interceptHosts.contains(host) { return .intercept(host: host) }
        if let tunnelHosts, !tunnelHosts.contains(host) {
            return .refuse(.forbidden, code: "forbidden",
                           "the tap tunnels only to the hosts of [tap] tunnel when it serves the network; \(host) is not one")
        }
        return .tunnel(host: host, port: target.port)
    }

    /// Lowercased, without a trailing dot or brackets.
    static func normal(_ host: String) -> String {
        var host = host.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        while host.hasSuffix(".") { host.removeLast() }
        return host
    }
}
