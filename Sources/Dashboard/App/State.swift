import Foundation
import ManagementAPI
import Monitor
import Screen

/// Which pane has the keyboard.
public enum Pane: Sendable, Hashable {
    case tokens
    case errors
}

/// How the token table is ordered (`s` cycles).
public enum TokenSort: String, Sendable, Hashable, CaseIterable {
    case usage, name, errors

    var next: TokenSort {
        let all = Self.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }
}

/// What the lower pane shows (`1`, `2`, `3`).
public enum LowerView: String, Sendable, Hashable, CaseIterable {
    case errors, jobs, routes
}

/// How the Jobs view is ordered (`s` while it has the keyboard).
public enum JobSort: String, Sendable, Hashable, CaseIterable {
    case calls, errors, p95, name
}

/// How the Routes view is ordered (`s` while it has the keyboard).
public enum RouteSort: String, Sendable, Hashable, CaseIterable {
    case calls, errors, p99, route
}

extension CaseIterable where Self: Equatable, AllCases: BidirectionalCollection, AllCases.Index == Int {
    /// The next case, around to the first.
    var cycled: Self {
        let all = Self.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }
}

/// A row of the Jobs view, stable across snapshots.
public struct JobID: Sendable, Hashable {
    public let token: Fingerprint
    public let job: String
}

/// A row of the Routes view, stable across snapshots.
public struct RouteID: Sendable, Hashable {
    public let method: String
    public let route: String
}

/// A node of the error tree, stable across snapshots so selection and expansion survive updates.
public enum NodeID: Sendable, Hashable {
    case statusClass(StatusClass)
    case group(GroupKey)
    case occurrence(UInt64)
    case field(UInt64, Int)
}

/// What the filter prompt is for.
public enum PromptPurpose: Sendable, Hashable {
    case filter
    /// `b`: a moment to travel to.
    case time
}

/// Time travel: the moment asked for, and where the replay on screen landed.
public struct ReplayState: Sendable, Hashable {
    public var moment: Date
    /// The moment the replay on screen shows (the first record when `moment` was before it);
    /// nil until the first replay for `moment` arrived.
    public var landed: Date?
    /// Why it landed elsewhere, or that history is still loading.
    public var note: String?

    public init(moment: Date) {
        self.moment = moment
    }

    /// Where the next step counts from.
    public var base: Date { landed ?? moment }
}

/// Facts about the session the header shows: fixed at start, but for `viewer`, which changes
/// when a window takes a journal over.
public struct SessionInfo: Sendable, Hashable {
    public var apiBase: String
    public var probesPerMinute: Int
    public var tapAddress: String?
    /// Attached or recording while open; nil for a dashboard fed directly (tests).
    public var viewer: ViewerMode?

    public init(apiBase: String, probesPerMinute: Int, tapAddress: String? = nil, viewer: ViewerMode? = nil) {
        self.apiBase = apiBase
        self.probesPerMinute = probesPerMinute
        self.tapAddress = tapAddress
        self.viewer = viewer
    }
}

/// Everything the screen shows besides the data: the dashboard's whole state. It changes
/// only in `update`.
public struct State: Sendable {
    public static let minimumWidth = 60
    public static let minimumHeight = 15

    public var session: SessionInfo
    public var size: TerminalSize
    public var now: Date
    /// The newest snapshot, and the one on screen (they differ while paused).
    public var latest: Snapshot
    public var shown: Snapshot
    public var paused = false
    public var focus: Pane = .tokens
    public var selectedToken: Fingerprint?
    public var tokenOffset = 0
    public var selectedNode: NodeID?
    public var errorOffset = 0
    public var lowerView: LowerView = .errors
    public var selectedJob: JobID?
    public var jobOffset = 0
    public var jobSort: JobSort = .calls
    public var selectedRoute: RouteID?
    public var routeOffset = 0
    public var routeSort: RouteSort = .calls
    /// Class nodes start open; everything else starts closed.
    public var toggled: Set<NodeID> = []
    public var filter: Filter = .empty
    public var prompt: PromptState?
    public var promptPurpose: PromptPurpose = .filter
    public var promptHistory: [String] = []
    public var sort: TokenSort = .usage
    public var themes: [String]
    public var themeIndex = 0
    public var showHelp = false
    /// In the past (`[`, `]`, `{`, `}`, `b`, `--at`); nil while live.
    public var replay: ReplayState?
    /// The recorders this window follows, as the viewer last said.
    public var sources: [SourceLine] = []
    /// The newest call the embedded tap answered (see `QuitGuard`).
    public var lastTapCall: Date?
    /// `q` asked while jobs call through the embedded tap: `y` quits, anything else stays.
    public var confirmQuit = false
    /// The zone `b` reads times of day in (the local one; fixed here so `update` stays pure).
    public var timeZone: TimeZone = .current
    /// A one-line notice for the bottom row (a theme that failed to load); the next key clears it.
    public var status: String?
    public var quit = false
    public var glyphs: Glyphs
    public var monochrome: Bool

    public init(session: SessionInfo, size: TerminalSize, now: Date, themes: [String] = ["default"], themeIndex: Int = 0,
                glyphs: Glyphs = .unicode, monochrome: Bool = false, filter: Filter = .empty)
    {
        self.session = session
        self.size = size
        self.now = now
        self.latest = .empty
        self.shown = .empty
        self.themes = themes.isEmpty ? ["default"] : themes
        self.themeIndex = min(max(0, themeIndex), self.themes.count - 1)
        self.glyphs = glyphs
        self.monochrome = monochrome
        self.filter = filter
    }

    public var themeName: String { themes[themeIndex] }

    public var isTooSmall: Bool { size.width < Self.minimumWidth || size.height < Self.minimumHeight }

    /// The token rows in the order the table shows them.
    public var sortedTokens: [TokenRow] {
        switch sort {
        case .usage: shown.tokens.sorted { ($0.usedRatio, $0.state, $1.reference.displayName) > ($1.usedRatio, $1.state, $0.reference.displayName) }
        case .name: shown.tokens.sorted { $0.reference.displayName < $1.reference.displayName }
        case .errors: shown.tokens.sorted { ($0.errorsInWindow, $1.reference.displayName) > ($1.errorsInWindow, $0.reference.displayName) }
        }
    }

    /// The Jobs view's rows in the order it shows them.
    public var sortedJobs: [JobRow] {
        let jobs = shown.jobs
        switch jobSort {
        case .calls: return jobs
        case .errors:
            return jobs.sorted { ($0.clientErrors + $0.serverErrors, $0.callsInWindow, $1.job) > ($1.clientErrors + $1.serverErrors, $1.callsInWindow, $0.job) }
        case .p95: return jobs.sorted { ($0.p95 ?? .zero, $1.job) > ($1.p95 ?? .zero, $0.job) }
        case .name: return jobs.sorted { ($0.job, $0.token.displayName) < ($1.job, $1.token.displayName) }
        }
    }

    /// The Routes view's rows in the order it shows them.
    public var sortedRoutes: [RouteRow] {
        let routes = shown.routes
        switch routeSort {
        case .calls: return routes
        case .errors:
            return routes.sorted {
                ($0.clientErrors + $0.serverErrors + $0.transport, $0.calls, $1.route) > ($1.clientErrors + $1.serverErrors + $1.transport, $1.calls, $0.route)
            }
        case .p99: return routes.sorted { ($0.p99 ?? .zero, $1.route) > ($1.p99 ?? .zero, $0.route) }
        case .route: return routes.sorted { ($0.route, $0.method) < ($1.route, $1.method) }
        }
    }

    /// The sort `s` changes now: the focused lower view's, else the tokens'.
    var sortName: String {
        guard focus == .errors else { return sort.rawValue }
        switch lowerView {
        case .errors: return sort.rawValue
        case .jobs: return jobSort.rawValue
        case .routes: return routeSort.rawValue
        }
    }

    func isExpanded(_ node: NodeID) -> Bool {
        if case .statusClass(let statusClass) = node { return statusClass != .success ? !toggled.contains(node) : toggled.contains(node) }
        return toggled.contains(node)
    }
}
