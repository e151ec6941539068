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
    /// The ring's budget in estimated bytes (see `Occurrence.estimatedBytes`): a hostile
    /// caller's long answers evict older occurrences sooner instead of growing memory.
    public var ringByteBudget: Int
    /// Tokens the configuration does not name get rows of their own up to this many; calls
    /// of any further ones count in one "other" row (as the metrics' `token="other"` does).
    public var maxUnknownTokens: Int
    /// Distinct status/code groups kept; codes past it count in an "other" group of their status.
    public var maxGroups: Int
    /// Caps on the text kept per occurrence (codes, descriptions, paths…).
    public var textLimits: TextLimits
    /// Counts per job and per route (the Jobs and Routes views); a monitor that only needs
    /// token rows (the recorder's `/metrics`) leaves them out.
    public var tracksUsage = true

    public init(ringCapacity: Int = 50_000, documentedLimit: Int = 60, warnRatio: Double = 0.7, criticalRatio: Double = 0.9,
                freshness: TimeInterval = 60, window: TimeInterval = 60, errorWindow: TimeInterval = 15 * 60,
                occurrencesPerGroup: Int = 500, ringByteBudget: Int = 64 << 20, maxUnknownTokens: Int = 100,
                maxGroups: Int = 500, textLimits: TextLimits = TextLimits())
    {
        self.ringCapacity = max(1, ringCapacity)
        self.ringByteBudget = max(1, ringByteBudget)
        self.maxUnknownTokens = max(0, maxUnknownTokens)
        self.maxGroups = max(1, maxGroups)
        self.textLimits = textLimits
        self.documentedLimit = documentedLimit
        self.warnRatio = warnRatio
        self.criticalRatio = criticalRatio
        self.freshness = freshness
        self.window = window
        self.errorWindow = errorWindow
        self.occurrencesPerGroup = occurrencesPerGroup
    }
}
