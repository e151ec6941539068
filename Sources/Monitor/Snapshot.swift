import Foundation
import ManagementAPI

/// One token's row, as the table shows it.
public struct TokenRow: Sendable, Hashable {
    public let reference: TokenReference
    /// Named in the configuration (else seen only by the tap).
    public let configured: Bool
    /// The "other" row: the calls of unknown tokens past the cap, counted together.
    public let aggregate: Bool
    public let state: TokenState
    public let used: Int
    public let limit: Int
    /// False while no answer has stated the limit: the documented 60 is shown instead.
    public let limitFromServer: Bool
    public let usageSource: UsageSource
    /// The server's remaining, while its figure is fresh.
    public let remaining: Int?
    /// Age of the newest server figure; nil when there has been none.
    public let ageSeconds: Double?
    public let callsInWindow: Int
    public let limitedInWindow: Int
    public let errorsInWindow: Int
    public let lastOutcome: CallOutcome?
    public let forecastSeconds: Double?
    /// Calls per 10 s over the last 10 minutes, oldest first.
    public let sparkline: [Int]
    public let totalCalls: Int

    public var usedRatio: Double { limit > 0 ? Double(used) / Double(limit) : 0 }
}

/// A status/code group of the error tree.
public struct ErrorGroup: Sendable, Hashable {
    public let key: GroupKey
    /// Calls in the error window (exact without a filter; over retained occurrences with one).
    public let count: Int
    /// Newest first, at most `occurrencesPerGroup`.
    public let occurrences: [Occurrence]
}

/// A status class of the error tree.
public struct ClassSummary: Sendable, Hashable {
    public let statusClass: StatusClass
    public let groups: [ErrorGroup]
    /// Distinct calls: a 400 in two field-code groups counts once here.
    public let count: Int
}

/// An immutable value of everything a view needs. `version` counts the records ingested,
/// so a view can tell new data from a mere tick of the clock.
public struct Snapshot: Sendable, Hashable {
    public let version: UInt64
    public let time: Date
    public let tokens: [TokenRow]
    public let classes: [ClassSummary]
    /// Occurrences retained in the ring, and how many left it since start.
    public let retained: Int
    public let evicted: Int
    public let errorWindow: TimeInterval
    /// The filter applied, if any (its canonical text).
    public let filter: String?
    /// Jobs of each token, busiest first; routes over all tokens, busiest first.
    public let jobs: [JobRow]
    public let routes: [RouteRow]

    public init(version: UInt64, time: Date, tokens: [TokenRow], classes: [ClassSummary], retained: Int, evicted: Int,
                errorWindow: TimeInterval, filter: String?, jobs: [JobRow] = [], routes: [RouteRow] = []) {
        self.version = version
        self.time = time
        self.tokens = tokens
        self.classes = classes
        self.retained = retained
        self.evicted = evicted
        self.errorWindow = errorWindow
        self.filter = filter
        self.jobs = jobs
        self.routes = routes
    }

    public static let empty = Snapshot(version: 0, time: Date(timeIntervalSince1970: 0), tokens: [], classes: [],
                                       retained: 0, evicted: 0, errorWindow: 0, filter: nil)

    /// The class summary of a class, if it has any calls.
    public func summary(of statusClass: StatusClass) -> ClassSummary? {
        classes.first { $0.statusClass == statusClass }
    }
}
