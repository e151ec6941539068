import Foundation
import ManagementAPI

/// One job of one token, as the Jobs view shows it (DESIGN.md section 12).
public struct JobRow: Sendable, Hashable {
    public let token: TokenReference
    public let job: String
    /// Calls in the last minute (the token's window), and their share of the token's limit.
    public let callsInWindow: Int
    public let shareOfLimit: Double
    /// Over the error window, like the error tree.
    public let clientErrors: Int
    public let serverErrors: Int
    public let limited: Int
    public let p95: Duration?
    public let lastCall: Date?
}

/// One method and route, over every token, as the Routes view shows it.
public struct RouteRow: Sendable, Hashable {
    public let method: String
    public let route: String
    public let callsInWindow: Int
    /// Over the error window.
    public let calls: Int
    public let clientErrors: Int
    public let serverErrors: Int
    public let transport: Int
    public let p50: Duration?
    public let p95: Duration?
    public let p99: Duration?
}
