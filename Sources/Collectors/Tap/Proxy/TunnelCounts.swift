import Synchronization

/// Blind tunnels opened, per host, for `/healthz`: what the tap passed through without
/// reading it. Hosts past `maxHosts` count under `other`, so a job that tunnels to many
/// hosts cannot grow it without bound.
public final class TunnelCounts: Sendable {
    public static let maxHosts = 64
    public static let otherHosts = "other"
    private let counts = Mutex<[String: Int]>([:])

    public init() {}

    func opened(_ host: String) {
        counts.withLock { counts in
            let key = counts[host] != nil || counts.count < Self.maxHosts ? host : Self.otherHosts
            counts[key, default: 0] += 1
        }
    }

    public var snapshot: [String: Int] { counts.withLock { $0 } }
}
