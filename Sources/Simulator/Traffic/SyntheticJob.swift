/// One call a synthetic job will make, after waiting `delay`.
public struct PlannedCall: Sendable, Hashable {
    public let delay: Duration
    public let method: String
    /// Path with its query string.
    public let target: String
    public let body: String?
}

/// The synthetic jobs of DESIGN.md section 6, each with its own token and habits.
public struct SyntheticJob: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// About 20 calls a minute of ordinary reads and a few writes.
        case steady
        /// Bursts of 75 calls that run into 429s, then a pause.
        case bursty
        /// Invalid bodies: 400s with several field errors each.
        case sloppy
        /// A secret the simulator does not know: 401s.
        case revoked
        /// A read-only token that tries to write: 403s.
        case viewer
    }

    public let kind: Kind
    public let token: SimulatedToken
    public let site: String

    /// Whether the simulator should know this job's secret (the revoked one it must not).
    public var isRegistered: Bool { kind != .revoked }

    /// Whether it asks for gzip, as Python's requests, Go's net/http and Node's fetch do by
    /// default: the sloppy job is such a script, so the demo's 400s reach the tap compressed.
    public var asksForGzip: Bool { kind == .sloppy }

    /// The script that makes `call`, as its User-Agent says (`mapitop-synthetic/NAME`): some
    /// tokens are shared by two scripts, as real ones are, so the demo's Jobs view shows who
    /// spends a token (DESIGN.md section 12; `mapitop demo` names them by `[[job]]` rules).
    public func script(for call: PlannedCall) -> String {
        switch kind {
        case .steady: call.method == "GET" && call.target.contains("?") ? "catalog-sync.py" : "nightly-ingest.py"
        case .bursty: "thumbnail-backfill"
        case .sloppy: call.target.hasPrefix("/v2/webhooks/") ? "hook-setup.sh" : "cms-import.py"
        case .revoked: "legacy-cron.sh"
        case .viewer: "report-viewer.py"
        }
    }

    /// Every script `script(for:)` names.
    public static let scripts = [
        "catalog-sync.py", "nightly-ingest.py", "thumbnail-backfill", "cms-import.py", "hook-setup.sh", "legacy-cron.sh",
        "report-viewer.py",
    ]

    /// The User-Agent product of the synthetic jobs.
    public static let agentProduct = "mapitop-synthetic"

    /// The five standard jobs; their secrets derive from the seed.
    public static func standard(seed: UInt64) -> [SyntheticJob] {
        Kind.allCases.enumerated().map { index, kind in
            var rng = SplitMix64(seed: seed &+ UInt64(index) &* 0x1000)
            let secret = "sim-\(kind.rawValue)-\(rng.alphanumericID(length: 24))"
            let role: SimulatedToken.Role = kind == .viewer ? .viewer : .admin
            let site = String((kind.rawValue.prefix(1).uppercased() + kind.rawValue.dropFirst() + "000000").prefix(6)) + "01"
            return SyntheticJob(kind: kind, token: SimulatedToken(label: kind.rawValue, secret: secret, role: role), site: site)
        }
    }

    /// The job's calls, forever, in an order fixed by the seed.
    public func plan(seed: UInt64) -> JobPlan {
        JobPlan(job: self, rng: SplitMix64(seed: seed ^ SplitMix64.stableHash(kind.rawValue)))
    }
}

/// The endless sequence of a job's calls.
public struct JobPlan: IteratorProtocol, Sendable {
    let job: SyntheticJob
    var rng: SplitMix64
    private var step = 0

    init(job: SyntheticJob, rng: SplitMix64) {
        self.job = job
        self.rng = rng
    }

    public mutating func next() -> PlannedCall? {
        defer { step += 1 }
        switch job.kind {
        case .steady: return steady()
        case .bursty: return bursty()
        case .sloppy: return sloppy()
        case .revoked: return PlannedCall(delay: jittered(12_000, 2_000), method: "GET", target: "/v2/webhooks/?page_length=5", body: nil)
        case .viewer: return viewer()
        }
    }

    /// `base` ± `spread` milliseconds.
    private mutating func jittered(_ base: Int, _ spread: Int) -> Duration {
        .milliseconds(base - spread + Int(rng.next() % UInt64(2 * spread + 1)))
    }

    private var mediaPath: String { "/v2/sites/\(job.site)/media/" }

    private mutating func steady() -> PlannedCall {
        let delay = jittered(3_000, 600)
        switch rng.next() % 20 {
        case 0, 1:
            let body = #"{"metadata":{"title":"Nightly ingest \#(step)","tags":["ingest"]},"upload":{"method":"fetch","download_url":"https://media.example/\#(step).mp4"}}"#
            return PlannedCall(delay: delay, method: "POST", target: mediaPath, body: body)
        case 2:
            return PlannedCall(delay: delay, method: "GET", target: mediaPath + rng.alphanumericID() + "/", body: nil)
        default:
            return PlannedCall(delay: delay, method: "GET", target: mediaPath + "?page=1&page_length=10", body: nil)
        }
    }

    private static let burstLength = 75

    private mutating func bursty() -> PlannedCall {
        let position = step % (Self.burstLength + 1)
        // The first call of each burst comes after a long pause (the very first soon, so a
        // demo shows 429s within its first minute); the rest back to back.
        let delay: Duration = step == 0 ? .seconds(2) : position == 0 ? jittered(45_000, 10_000) : .milliseconds(150)
        return PlannedCall(delay: delay, method: "GET", target: mediaPath + "?page_length=1", body: nil)
    }

    private mutating func sloppy() -> PlannedCall {
        let delay = jittered(5_000, 1_000)
        let longTitle = "Episode \(step): " + String(repeating: "a very long title ", count: 16)
        switch rng.next() % 6 {
        case 0, 1:
            let body = #"{"metadata":{"title":"\#(longTitle)","tags":"news"},"upload":{}}"#
            return PlannedCall(delay: delay, method: "POST", target: mediaPath, body: body)
        case 2:
            let body = #"{"metadata":{"title":"","publish_start_date":"next tuesday"},"upload":{"method":"direct","download_url":"https://media.example/a.mp4"}}"#
            return PlannedCall(delay: delay, method: "POST", target: mediaPath, body: body)
        case 3:
            let body = #"{"metadata":{"name":"ab","webhook_url":"ftp://hooks.example","events":[]}}"#
            return PlannedCall(delay: delay, method: "POST", target: "/v2/webhooks/", body: body)
        case 4:
            let length = rng.next() % 2 == 0 ? "0" : "20000"
            return PlannedCall(delay: delay, method: "GET", target: mediaPath + "?page_length=" + length, body: nil)
        default:
            return PlannedCall(delay: delay, method: "POST", target: mediaPath, body: "{title: oops")
        }
    }

    private mutating func viewer() -> PlannedCall {
        let delay = jittered(10_000, 2_000)
        if step % 2 == 0 {
            let body = #"{"metadata":{"name":"viewer hook \#(step)","webhook_url":"https://hooks.example/v","events":["media_available"]}}"#
            return PlannedCall(delay: delay, method: "POST", target: "/v2/webhooks/", body: body)
        }
        return PlannedCall(delay: delay, method: "GET", target: mediaPath + "?page_length=5", body: nil)
    }
}
