import Collectors
import ConfigFile
import Foundation
import Journal
import ManagementAPI

/// What a recorder runs (DESIGN.md section 8): the command fills it from its flags and the
/// configuration; the demo from its own embedded set-up.
public struct RecordingOptions: Sendable {
    public static let defaultAdmin = "127.0.0.1:8788"

    public var journalPath: String
    /// Where the admin server listens; port 0 picks a free one.
    public var admin: ListenAddress
    /// Where the tap listens, or nil for no tap; port 0 picks a free one.
    public var tap: ListenAddress?
    /// The tap's TLS listener (`--tap-tls`), its intercepted and tunnel hosts, and its authority.
    public var tapTLS: ListenAddress?
    public var intercept: [String] = []
    public var tunnel: [String] = []
    public var authority: AuthorityFiles?
    /// `[[job]]` rules: what the tap names its callers' jobs.
    public var jobRules: [JobRule] = []
    /// Where probes and the tap's calls go, e.g. `https://api.jwplayer.com`.
    public var upstream: String
    public var probes: [ProbeTarget]
    public var probesPerMinute: Int
    /// Labels of the configured tokens by fingerprint, for the tap's records.
    public var labels: [Fingerprint: String]
    /// Records older than this are pruned at start and hourly.
    public var retain: TimeInterval
    /// The journal is cut back to this many bytes at start and hourly.
    public var maxBytes: Int64
    public var retentionInterval: Duration = .seconds(3_600)
    /// The longest the health watch waits between looks (a change of the journal's health wakes
    /// it at once; the tap's dropped calls are looked at this often).
    public var healthInterval: Duration = .seconds(5)
    public var journal = JournalWriter.Options()
    public var events = EventStreamOptions()
    /// Users besides the recorder's own who may read calls and events (`[admin] readers`).
    public var adminReaders: [UInt32] = []
    /// Seeds the probe schedule's spread: the demo passes its own so one seed is one run.
    public var probeSeed: UInt64 = 1

    public init(journalPath: String, admin: ListenAddress, tap: ListenAddress? = nil, upstream: String,
                probes: [ProbeTarget] = [], probesPerMinute: Int = 2, labels: [Fingerprint: String] = [:],
                retain: TimeInterval = 7 * 86_400, maxBytes: Int64 = 1 << 30)
    {
        self.journalPath = journalPath
        self.admin = admin
        self.tap = tap
        self.upstream = upstream
        self.probes = probes
        self.probesPerMinute = probesPerMinute
        self.labels = labels
        self.retain = retain
        self.maxBytes = maxBytes
    }
}
