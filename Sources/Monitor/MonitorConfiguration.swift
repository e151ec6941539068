import Foundation

/// The knobs of the model; defaults are DESIGN.md section 2's.
public struct MonitorConfiguration: Sendable, Hashable {
    /// Newest error occurrences kept in full; older ones leave, their counts stay.
    public var ringCapacity: Int
    /// The documented quota, used as the gauge's limit until the server states one.
    public var documentedLimit: Int
    public var warnRatio: Double
    public var criticalRatio: Double
    /// A server figure older than this is stale: USED falls back to the seen count.
    public var freshness: TimeInterval
    /// The trailing window of calls, 429s and errors per token.
    public var window: TimeInterval
    /// How far back the error tree counts.
    public var errorWindow: TimeInterval
    /// Newest occurrences listed per group in a snapshot.
    public var occurrencesPerGroup: Int

    public init(ringCapacity: Int = 50_000, documentedLimit: Int = 60, warnRatio: Double = 0.7, criticalRatio: Double = 0.9,
                freshness: TimeInterval = 60, window: TimeInterval = 60, errorWindow: TimeInterval = 15 * 60,
                occurrencesPerGroup: Int = 500)
    {
        self.ringCapacity = max(1, ringCapacity)
        self.documentedLimit = documentedLimit
        self.warnRatio = warnRatio
        self.criticalRatio = criticalRatio
        self.freshness = freshness
        self.window = window
        self.errorWindow = errorWindow
        self.occurrencesPerGroup = occurrencesPerGroup
    }
}
