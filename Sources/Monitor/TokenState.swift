/// What a token's row says at a glance; ordered from best to worst.
public enum TokenState: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Nothing seen in the window and no fresh server figure.
    case idle
    case ok
    /// USED at or past 70% of the limit.
    case warn
    /// USED at or past 90% of the limit.
    case critical
    /// A 429 in the trailing 60 s.
    case limited
    /// The newest probe got 401 or 403.
    case unauthorized
    /// The newest probe got no HTTP answer.
    case unreachable

    private var severity: Int {
        switch self {
        case .idle: 0
        case .ok: 1
        case .warn: 2
        case .critical: 3
        case .limited: 4
        case .unauthorized: 5
        case .unreachable: 6
        }
    }

    public static func < (lhs: TokenState, rhs: TokenState) -> Bool { lhs.severity < rhs.severity }
}

/// Where a USED figure came from.
public enum UsageSource: String, Sendable, Hashable, Codable {
    /// limit − remaining from an answer under `freshness` old.
    case server
    /// Calls seen by mapitop in the trailing window (the server figure is stale or absent).
    case seen
}
