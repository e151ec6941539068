import Foundation

/// A tap request body as journaled: at most `cap` bytes, `cut` when the rest was dropped.
public struct RequestBody: Sendable, Hashable {
    public static let cap = 64 * 1024
    public let bytes: Data
    public let cut: Bool

    public init(bytes: Data, cut: Bool) {
        self.bytes = bytes
        self.cut = cut
    }

    /// Keeps the first `cap` bytes of a body and says whether anything was dropped.
    public init(capping body: Data) {
        self.init(bytes: Data(body.prefix(Self.cap)), cut: body.count > Self.cap)
    }
}

/// A non-2xx call read back in full, with its journal sequence number.
public struct JournaledCall: Sendable, Hashable {
    public let seq: Int64
    public let record: CallRecord
    /// The journaled body; nil when there was none, or when it was left on disk by a read
    /// that does not need it (`requestBodySize` still says how big it is).
    public let requestBody: RequestBody?
    /// Bytes of the journaled body (at most `RequestBody.cap`), and whether it was cut; nil
    /// when the call had no body.
    public let requestBodySize: Int?
    public let requestBodyCut: Bool?
    /// The query string it was sent with, without `?` (the record's path has none); nil when
    /// there was none or it was not journaled (calls before schema 2, probes).
    public let query: String?

    /// Also what a viewer or an export decodes from the admin server's wire format.
    public init(
        seq: Int64, record: CallRecord, requestBody: RequestBody?, requestBodySize: Int? = nil, requestBodyCut: Bool? = nil,
        query: String? = nil
    ) {
        self.seq = seq
        self.record = record
        self.requestBody = requestBody
        self.requestBodySize = requestBodySize ?? requestBody?.bytes.count
        self.requestBodyCut = requestBodyCut ?? requestBody?.cut
        self.query = query
    }

    /// The path with its query string, as the job sent it.
    public var target: String { query.map { record.path + "?" + $0 } ?? record.path }
}

/// Successful calls of one (token, method, status, source) in one 10-second window, and who
/// made them where: its `parts`, one per job and route.
public struct CallBucket: Sendable, Hashable {
    public static let width: TimeInterval = 10
    public let seq: Int64
    public let start: Date
    public let token: TokenReference
    public let method: String
    public let status: Int
    public let source: CallSource
    public let count: Int
    /// Whole microseconds.
    public let latencySum: Duration
    public let latencyMax: Duration
    /// The newest server figure among the bucket's calls (its event is `seq + 1`); nil when
    /// none of them carried jw-request-* counts, and always nil for the "other" token.
    public let figure: ServerFigure?
    /// The bucket's identity: the seq its row was first written with. The writer adds each
    /// batch's successes to the open window's row, and the row takes a new seq each time (so
    /// an event stream sees the update); this stays. A stream reader keys buckets by it and
    /// lets a newer event replace an older one, whose totals it includes, however many
    /// updates it missed in between. A range read only ever sees the current row.
    public let firstSeq: Int64
    /// Its calls by job and route, each with their latencies, in `BucketPart` order; their
    /// counts add up to `count`. Empty for a bucket journaled before jobs and routes.
    public let parts: [BucketPart]

    public init(
        seq: Int64, start: Date, token: TokenReference, method: String, status: Int, source: CallSource, count: Int,
        latencySum: Duration, latencyMax: Duration, figure: ServerFigure?, firstSeq: Int64,
        parts: [BucketPart] = []
    ) {
        self.seq = seq
        self.start = start
        self.token = token
        self.method = method
        self.status = status
        self.source = source
        self.count = count
        self.latencySum = latencySum
        self.latencyMax = latencyMax
        self.figure = figure
        self.firstSeq = firstSeq
        self.parts = parts
    }

    public var meanLatency: Duration { count > 0 ? latencySum / count : .zero }

    /// The bucket as `count` records. An approximation: the real times, paths, latencies and
    /// request ids were folded away. The calls are spread evenly over the window (call `i` at
    /// `start + i × 10 s / count`, so steady traffic comes back at its own times), each with
    /// its part's job and route and a latency in the middle of its histogram bucket (the mean
    /// latency where no part says: `?`, `other`), so a replay's jobs, routes and percentiles
    /// are the live ones; the last one is the call whose figure the bucket kept, at that
    /// figure's time and carrying it. Counts per token, method, status, job, route and window
    /// are exact, which is what the monitor needs.
    public func expanded() -> [CallRecord] {
        (0..<count).map(call(at:))
    }

    /// Call `index` of `expanded()` alone: a filter matches a bucket as one of its calls
    /// without building all of them.
    public func call(at index: Int) -> CallRecord {
        let last = index == count - 1
        let figure = last ? figure : nil
        let time = figure?.time ?? start.addingTimeInterval(Double(index) * Self.width / Double(count))
        let rate = figure.map { RateHeaders(limit: $0.limit, remaining: $0.remaining, requestID: nil) } ?? .unknown
        var before = 0
        for part in parts {
            guard index < before + part.count else {
                before += part.count
                continue
            }
            return CallRecord(
                time: time, token: token, method: method, path: "", outcome: .status(status),
                latency: part.latencies?.representative(ofCall: index - before) ?? meanLatency, rate: rate, errors: [],
                source: source, job: part.job, route: part.route)
        }
        return CallRecord(
            time: time, token: token, method: method, path: "", outcome: .status(status), latency: meanLatency, rate: rate,
            errors: [], source: source, job: JobName.unknown, route: APIRoute.other)
    }
}

/// The calls of a bucket made by one job on one route (DESIGN.md section 12).
public struct BucketPart: Sendable, Hashable {
    public let job: String
    public let route: String
    public let count: Int
    /// Their latencies; nil when they were not kept (a hostile line's that did not add up).
    public let latencies: LatencyHistogram?

    public init(job: String, route: String, count: Int, latencies: LatencyHistogram?) {
        self.job = job
        self.route = route
        self.count = count
        self.latencies = latencies
    }

    /// The order parts are kept in: by job, then route, so a bucket reads the same wherever it
    /// was written.
    public static func ordered(_ parts: [BucketPart]) -> [BucketPart] {
        parts.sorted { ($0.job, $0.route) < ($1.job, $1.route) }
    }
}

/// One server figure: what jw-request-limit and jw-request-remaining said, and when.
///
/// The journal keeps every figure of a call that was not 2xx (in the call's own row) but folds
/// those of successful calls: per bucket (10 s, token, method, status, source) it keeps the
/// newest figure, plus the lowest remaining any of its calls reported. So a figure read back
/// from a bucket is the newest of its window, to the millisecond.
public struct ServerFigure: Sendable, Hashable {
    /// The figure's own event number: its call's or its bucket's seq + 1.
    public let seq: Int64
    public let time: Date
    public let token: TokenReference
    public let limit: Int?
    public let remaining: Int?
    /// The lowest remaining reported in the figure's bucket (for a failed call, its own).
    public let lowestRemaining: Int?

    public init(seq: Int64, time: Date, token: TokenReference, limit: Int?, remaining: Int?, lowestRemaining: Int?) {
        self.seq = seq
        self.time = time
        self.token = token
        self.limit = limit
        self.remaining = remaining
        self.lowestRemaining = lowestRemaining
    }
}

/// A token the journal has seen: its public identity only, never its secret.
public struct SeenToken: Sendable, Hashable {
    public let seq: Int64
    public let token: TokenReference
    public let source: CallSource
    public let firstSeen: Date

    public init(seq: Int64, token: TokenReference, source: CallSource, firstSeen: Date) {
        self.seq = seq
        self.token = token
        self.source = source
        self.firstSeen = firstSeen
    }
}

/// Any journal row, in sequence order: what the admin server streams as SSE events.
public enum JournalEvent: Sendable, Hashable {
    case call(JournaledCall)
    case bucket(CallBucket)
    case figure(ServerFigure)
    case token(SeenToken)

    public var seq: Int64 {
        switch self {
        case .call(let call): call.seq
        case .bucket(let bucket): bucket.seq
        case .figure(let figure): figure.seq
        case .token(let token): token.seq
        }
    }

    /// The SSE event name (DESIGN.md section 8): buckets are calls too.
    public var kind: String {
        switch self {
        case .call, .bucket: "call"
        case .figure: "figure"
        case .token: "token"
        }
    }
}

extension JournalEvent {
    /// About what the event costs in hand (`HeldBytes`): a call's texts and body, or the fixed
    /// size of the other kinds. Range reads page by it and a viewer's history is bounded by it.
    public var heldBytes: Int {
        switch self {
        case .call(let call):
            Self.fixedBytes + call.record.heapBytes + HeldBytes.of(call.query ?? "") + (call.requestBody?.bytes.count ?? 0)
        case .bucket(let bucket):
            // A bucket stands for its calls: a replay expands it into `count` records, so it
            // weighs what they will (a source may send a count of a million).
            Self.fixedBytes + HeldBytes.of(bucket.method) + bucket.token.heapBytes + bucket.count * Self.expandedCallBytes
        case .figure(let figure): Self.fixedBytes + figure.token.heapBytes
        case .token(let token): Self.fixedBytes + token.token.heapBytes
        }
    }

    /// What one call of a bucket costs once a replay expands it (a record sharing the bucket's
    /// strings, and its place in the sorted array).
    public static let expandedCallBytes = 64

    /// An event's own size and its place in whatever holds it, before its strings.
    public static let fixedBytes = 256
}
