import Foundation
import ManagementAPI
import TextSafety

/// The admin server's JSON: one stable shape per journal row, each with `"v": 1` so a viewer
/// can refuse a recorder it does not understand. Built from the journal's value types, which
/// hold no secret; request bodies are never sent (only their size), since a body a job sent
/// through the tap may carry credentials of its own.
public enum WireFormat {
    /// Bumped when a field changes meaning or disappears; new fields keep the version.
    public static let version = 1

    /// One row as a JSON object with sorted keys, on one line (no newline inside). The
    /// admin server never sends request bodies; `withBodies` is for `mapitop export`, whose
    /// user asked for their own journal's calls in full.
    public static func line(_ event: JournalEvent, withBodies: Bool = false) -> String {
        switch event {
        case .call(let call): encode(CallLine(call, withBody: withBodies))
        case .bucket(let bucket): encode(BucketLine(bucket))
        case .figure(let figure): encode(FigureLine(figure))
        case .token(let token): encode(TokenLine(token))
        }
    }

    /// Times as ISO 8601 with milliseconds, UTC: the same text `/v1/calls` accepts back.
    public static func time(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    public static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1_000 + Double(duration.components.attoseconds) / 1e15
    }

    public static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        // The line types hold only strings, numbers and optionals: encoding cannot fail.
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return escapingInvisibles(String(decoding: data, as: UTF8.self))
    }

    /// JSON text with what JSONEncoder leaves raw but a terminal or an editor would act on
    /// written as `\uXXXX` (`TextEscapes.json`).
    public static func escapingInvisibles(_ json: String) -> String { TextEscapes.json(json) }
}

struct TokenJSON: Codable {
    let fingerprint: String
    let label: String?

    init(_ token: TokenReference) {
        fingerprint = token.fingerprint.hex
        label = token.label
    }
}

struct ErrorJSON: Codable {
    let code: String
    let description: String
    let field: String?
    let constraint: String?
    let provided: String?
    let synthesized: Bool

    init(_ entry: ErrorEntry) {
        code = entry.code
        description = entry.description
        field = entry.detail?.field
        constraint = entry.detail?.constraint
        provided = entry.detail?.provided
        synthesized = entry.synthesized
    }
}

struct CallLine: Codable {
    // Spelled out, not a key strategy: a window decodes tens of thousands of these a second,
    // and converting every key of every line cost a third of it.
    enum CodingKeys: String, CodingKey {
        case v, type, seq, time, token, method, path, status, transport, limit, remaining, errors, source, query, job, route
        case latencyMs = "latency_ms", requestId = "request_id", bodyTruncated = "body_truncated"
        case requestBodyBytes = "request_body_bytes", requestBodyCut = "request_body_cut", requestBody = "request_body"
        case requestBodyEncoding = "request_body_encoding"
    }

    var v = WireFormat.version
    var type = "call"
    let seq: Int64
    let time: String
    let token: TokenJSON
    let method: String
    let path: String
    let status: Int?
    let transport: String?
    let latencyMs: Double
    let limit: Int?
    let remaining: Int?
    let requestId: String?
    let errors: [ErrorJSON]
    let source: String
    let bodyTruncated: Bool
    let requestBodyBytes: Int?
    let requestBodyCut: Bool?
    /// The query string the call was sent with (its path has none), when journaled.
    let query: String?
    /// Who called (DESIGN.md section 12) and the path with its ids named; absent from a
    /// recorder older than them.
    let job: String?
    let route: String?
    /// Only in an export: the body as UTF-8 text, or base64 when it is not valid UTF-8.
    var requestBody: String?
    var requestBodyEncoding: String?

    init(_ call: JournaledCall, withBody: Bool = false) {
        let record = call.record
        seq = call.seq
        time = WireFormat.time(record.time)
        token = TokenJSON(record.token)
        method = record.method
        path = record.path
        status = record.outcome.status
        if case .transport(let failure) = record.outcome { transport = failure.rawValue } else { transport = nil }
        latencyMs = WireFormat.milliseconds(record.latency)
        limit = record.rate.limit
        remaining = record.rate.remaining
        requestId = record.rate.requestID
        errors = record.errors.map(ErrorJSON.init)
        source = record.source.rawValue
        bodyTruncated = record.bodyTruncated
        requestBodyBytes = call.requestBodySize
        requestBodyCut = call.requestBodyCut
        query = call.query
        job = record.job
        route = record.route
        if withBody, let body = call.requestBody {
            if let text = String(validating: body.bytes, as: UTF8.self) {
                requestBody = text
                requestBodyEncoding = "utf8"
            } else {
                requestBody = body.bytes.base64EncodedString()
                requestBodyEncoding = "base64"
            }
        }
    }
}

struct BucketLine: Codable {
    enum CodingKeys: String, CodingKey {
        case v, type, seq, start, token, method, status, source, count, figure, parts
        case widthS = "width_s", latencySumMs = "latency_sum_ms", latencyMaxMs = "latency_max_ms", firstSeq = "first_seq"
    }

    var v = WireFormat.version
    var type = "bucket"
    let seq: Int64
    let start: String
    var widthS = CallBucket.width
    let token: TokenJSON
    let method: String
    let status: Int
    let source: String
    let count: Int
    let latencySumMs: Double
    let latencyMaxMs: Double
    /// The bucket's identity, the seq of its first event: a later event with the same
    /// `first_seq` carries totals that include the earlier ones, so a follower keeps only the
    /// newest per `first_seq` rather than adding them.
    let firstSeq: Int64
    /// The bucket's newest server figure (also its own `figure` event, seq + 1), so a range
    /// read alone can show USED as it stood; absent when none of its calls carried one.
    let figure: BucketFigure?
    /// Its calls by job and route (DESIGN.md section 12); absent from a recorder older than them.
    let parts: [PartJSON]?

    struct PartJSON: Codable {
        let job: String
        let route: String
        let count: Int
        /// Its calls per latency bucket (`LatencyHistogram.boundsMilliseconds`, then one for
        /// slower), as `bucket:count` pairs (`LatencyHistogram.sparse`); absent when not kept.
        let latencies: String?
    }

    struct BucketFigure: Codable {
        enum CodingKeys: String, CodingKey {
            case time, limit, remaining
            case lowestRemaining = "lowest_remaining"
        }

        let time: String
        let limit: Int?
        let remaining: Int?
        let lowestRemaining: Int?
    }

    init(_ bucket: CallBucket) {
        seq = bucket.seq
        start = WireFormat.time(bucket.start)
        token = TokenJSON(bucket.token)
        method = bucket.method
        status = bucket.status
        source = bucket.source.rawValue
        count = bucket.count
        latencySumMs = WireFormat.milliseconds(bucket.latencySum)
        latencyMaxMs = WireFormat.milliseconds(bucket.latencyMax)
        firstSeq = bucket.firstSeq
        parts = bucket.parts.map { PartJSON(job: $0.job, route: $0.route, count: $0.count, latencies: $0.latencies?.sparse) }
        figure = bucket.figure.map {
            BucketFigure(time: WireFormat.time($0.time), limit: $0.limit, remaining: $0.remaining, lowestRemaining: $0.lowestRemaining)
        }
    }
}

struct FigureLine: Codable {
    var v = WireFormat.version
    var type = "figure"
    let seq: Int64
    let time: String
    let token: TokenJSON
    let limit: Int?
    let remaining: Int?

    init(_ figure: ServerFigure) {
        seq = figure.seq
        time = WireFormat.time(figure.time)
        token = TokenJSON(figure.token)
        limit = figure.limit
        remaining = figure.remaining
    }
}

struct TokenLine: Codable {
    enum CodingKeys: String, CodingKey {
        case v, type, seq, token, source
        case firstSeen = "first_seen"
    }

    var v = WireFormat.version
    var type = "token"
    let seq: Int64
    let token: TokenJSON
    let source: String
    let firstSeen: String

    init(_ seen: SeenToken) {
        seq = seen.seq
        token = TokenJSON(seen.token)
        source = seen.source.rawValue
        firstSeen = WireFormat.time(seen.firstSeen)
    }
}
