/// The caps of DESIGN.md section 12, so a flood of distinct programs or paths costs a few
/// hundred names, never memory or journal rows without bound: past `JobName.cap` jobs of a
/// token, a new one counts as `other`; past `APIRoute.cap` routes, `other`. The recorder
/// applies them to what it journals and a monitor to what it holds (a recorder it follows
/// may be another's).
public struct AttributionCaps: Sendable {
    /// Tokens whose jobs are counted apart; past them every token's new jobs share one set
    /// (the recorder journals tokens past its own cap as one `other` token anyway).
    static let tokenLimit = 1_024

    private var jobs: [Fingerprint: Set<String>] = [:]
    private var sharedJobs: Set<String> = []
    private var routes: Set<String> = []

    public init() {}

    /// The job and route as counted: themselves while under their caps.
    public mutating func admit(token: Fingerprint, job: String, route: String) -> (job: String, route: String) {
        (admit(job: job, of: token), admit(route: route))
    }

    public mutating func admit(job: String, of token: Fingerprint) -> String {
        if jobs[token] == nil, jobs.count >= Self.tokenLimit {
            return Self.admit(job, into: &sharedJobs, cap: JobName.cap, other: JobName.other)
        }
        return Self.admit(job, into: &jobs[token, default: []], cap: JobName.cap, other: JobName.other)
    }

    public mutating func admit(route: String) -> String {
        Self.admit(route, into: &routes, cap: APIRoute.cap, other: APIRoute.other)
    }

    /// `name` as counted among `names`, at most `cap` of them besides `other`: the one rule
    /// of every cap (a series of `/metrics` keeps its own set with it).
    public static func admit(_ name: String, into names: inout Set<String>, cap: Int, other: String) -> String {
        if names.contains(name) || name == other { return name }
        guard names.count < cap else { return other }
        names.insert(name)
        return name
    }
}
