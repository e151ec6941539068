import Foundation

/// How a window gets its data (DESIGN.md section 9).
public enum ViewerMode: Sendable, Hashable {
    /// Attached to a recorder that runs on its own, at this admin address.
    case attached(String)
    /// Running a recorder of its own, for as long as it is open, with its admin server here.
    case embedded(String)

    public var isEmbedded: Bool {
        if case .embedded = self { return true }
        return false
    }
}

/// One recorder a viewer follows, as the header shows it (DESIGN.md section 9).
public struct SourceLine: Sendable, Hashable {
    public enum Condition: Sendable, Hashable {
        case connecting
        case live
        /// No answer, or the stream ended; retried with backoff. What it sent stays on screen.
        case unreachable(since: Date, reason: String)
        /// It answered something this viewer cannot read (HTML, another version, garbled).
        case unreadable(since: Date, reason: String)
    }

    /// `host:port` of its admin server.
    public let name: String
    public let condition: Condition
    /// Its journal's first record, once known: how far back it can travel.
    public let historySince: Date?

    public init(name: String, condition: Condition, historySince: Date?) {
        self.name = name
        self.condition = condition
        self.historySince = historySince
    }
}

/// The screen of one past moment, as time travel shows it.
public struct Replay: Sendable {
    /// Every figure as it stood at `moment`.
    public let snapshot: Snapshot
    /// Where it landed: the moment asked for, or the first record when that was earlier.
    public let moment: Date
    /// Why it landed elsewhere, or that its history is still being fetched.
    public let note: String?
    /// False while older history is still on its way; a newer replay follows when it lands.
    public let complete: Bool

    public init(snapshot: Snapshot, moment: Date, note: String?, complete: Bool) {
        self.snapshot = snapshot
        self.moment = moment
        self.note = note
        self.complete = complete
    }
}

/// What a dashboard needs of a viewer beyond its live monitor: the recorders it follows and
/// the screens of past moments. Held behind closures so the dashboard knows no recorder.
public struct ViewerHooks: Sendable {
    /// Moves whenever a source's line changes.
    public let version: @Sendable () -> UInt64
    public let sources: @Sendable () -> [SourceLine]
    /// Moves when the history held changes: a replay built before it is stale. Live data
    /// arriving never moves it.
    public let historyVersion: @Sendable () -> UInt64
    public let replay: @Sendable (_ moment: Date, _ filter: Filter) -> Replay
    /// The screen went back to live: what travelling held may be let go.
    public let returnedLive: @Sendable () -> Void
    /// The newest call the embedded tap answered; nil without an embedded tap. Quitting asks
    /// first while it is recent: the jobs calling through it would fail.
    public let lastTapCall: @Sendable () -> Date?
    /// How the window gets its data now: a window that took a journal over records itself
    /// from then on.
    public let mode: @Sendable () -> ViewerMode?

    public init(
        version: @escaping @Sendable () -> UInt64, sources: @escaping @Sendable () -> [SourceLine],
        historyVersion: @escaping @Sendable () -> UInt64, replay: @escaping @Sendable (Date, Filter) -> Replay,
        returnedLive: @escaping @Sendable () -> Void = {}, lastTapCall: @escaping @Sendable () -> Date? = { nil },
        mode: @escaping @Sendable () -> ViewerMode? = { nil }
    ) {
        self.version = version
        self.sources = sources
        self.historyVersion = historyVersion
        self.replay = replay
        self.returnedLive = returnedLive
        self.lastTapCall = lastTapCall
        self.mode = mode
    }
}
