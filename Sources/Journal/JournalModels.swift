import Foundation
import ManagementAPI

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
    public let requestBody: RequestBody?
}

/// Successful calls of one (token, method, status, source) in one 10-second window.
public struct CallBucket: Sendable, Hashable {
    public static let width: TimeInterval = 10
    public let seq: Int64
    public let start: Date
    public let token: TokenReference
    public let method: String
    public let status: Int
    public let source: CallSource
    public let count: Int
    public let latencySum: Duration
    public let latencyMax: Duration

    public var meanLatency: Duration { count > 0 ? latencySum / count : .zero }

    /// The bucket as `count` records, each at the bucket's start with the mean latency.
    /// An approximation: the real times, paths, latencies and request ids were folded away;
    /// counts per token, method, status and window are exact, which is what the monitor needs.
    public func expanded() -> [CallRecord] {
        let record = CallRecord(
            time: start, token: token, method: method, path: "", outcome: .status(status),
            latency: meanLatency, rate: .unknown, errors: [], source: source)
        return Array(repeating: record, count: count)
    }
}

/// One server figure: what jw-request-limit and jw-request-remaining said, and when.
public struct ServerFigure: Sendable, Hashable {
    public let seq: Int64
    public let time: Date
    public let token: TokenReference
    public let limit: Int?
    public let remaining: Int?
}

/// A token the journal has seen: its public identity only, never its secret.
public struct SeenToken: Sendable, Hashable {
    public let seq: Int64
    public let token: TokenReference
    public let source: CallSource
    public let firstSeen: Date
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
