import Foundation
import ManagementAPI

/// The admin server's lines read back into journal values: what a viewer following
/// `/v1/events` and an export from `--source` get. Anything else on a line (not JSON, another
/// version, a type this build does not know, a missing field, a time that does not parse) is
/// an error that says which, never a crash or a value made up.
public enum WireDecoding {
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// One line of `/v1/calls`, or the `data:` of one event. The JSON is parsed once, by one
    /// decoder made once: a window follows tens of thousands of events a second.
    public static func event(_ line: some StringProtocol) throws(Failure) -> JournalEvent {
        let parsed: AnyLine
        do {
            parsed = try decoder.decode(AnyLine.self, from: Data(line.utf8))
        } catch let failure as TypeFailure {
            throw Failure(description: "a \(failure.type) line that does not decode: \(String(describing: failure.error).prefix(200))")
        } catch {
            throw Failure(description: "not a mapitop recorder line: \(String(line.prefix(80)))")
        }
        switch parsed {
        case .otherVersion(let version):
            throw Failure(description: "wire format version \(version); this mapitop reads \(WireFormat.version)")
        case .unknown(let type):
            throw Failure(description: "unknown line type \(type)")
        case .call(let line): return .call(try call(line))
        case .bucket(let line): return .bucket(try bucket(line))
        case .figure(let line): return .figure(try figure(line))
        case .token(let line): return .token(try token(line))
        }
    }

    /// A line of any type: `v` and `type` first, then the line as its type decodes it, from
    /// the same parse.
    private enum AnyLine: Decodable {
        case call(CallLine)
        case bucket(BucketLine)
        case figure(FigureLine)
        case token(TokenLine)
        case otherVersion(Int)
        case unknown(String)

        private enum Keys: String, CodingKey {
            case v, type
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            let version = try container.decode(Int.self, forKey: .v)
            guard version == WireFormat.version else {
                self = .otherVersion(version)
                return
            }
            let type = try container.decode(String.self, forKey: .type)
            do {
                switch type {
                case "call": self = .call(try CallLine(from: decoder))
                case "bucket": self = .bucket(try BucketLine(from: decoder))
                case "figure": self = .figure(try FigureLine(from: decoder))
                case "token": self = .token(try TokenLine(from: decoder))
                default: self = .unknown(String(type.prefix(40)))
                }
            } catch {
                throw TypeFailure(type: String(type.prefix(40)), error: error)
            }
        }
    }

    /// A line whose header is a recorder's but whose body its type does not decode.
    private struct TypeFailure: Error {
        let type: String
        let error: any Error
    }

    /// No key strategy: the line types spell their keys out (see `CallLine.CodingKeys`).
    private static let decoder = JSONDecoder()

    /// ISO 8601, with or without fractional seconds, with a zone: what `WireFormat.time`
    /// writes, and what `/v1/calls` takes as `from` and `to`.
    public static func time(_ text: String) throws(Failure) -> Date {
        if let date = WireTime.parse(text) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return date }
        throw Failure(description: "not an ISO 8601 time: \(text.prefix(40))")
    }

    /// A fingerprint is hex (or `other`, the journal's fold): anything else from a source is
    /// cut to what it could mean, so it cannot carry a control or a formula into a document.
    static func reference(_ token: TokenJSON) -> TokenReference {
        let hex = token.fingerprint == "other" ? "other" : String(token.fingerprint.filter(\.isHexDigit).prefix(64))
        return TokenReference(fingerprint: Fingerprint(hex: hex.isEmpty ? "?" : hex), label: token.label)
    }

    static func source(_ text: String) throws(Failure) -> CallSource {
        guard let source = CallSource(rawValue: text) else { throw Failure(description: "unknown source \(text.prefix(20))") }
        return source
    }

    /// A duration from a hostile line cannot trap: NaN is zero, and anything past a day is a day.
    static func duration(milliseconds: Double) -> Duration {
        guard milliseconds.isFinite else { return .zero }
        let clamped = min(max(milliseconds, -86_400_000), 86_400_000)
        return .nanoseconds(Int64((clamped * 1_000_000).rounded()))
    }

    /// The most calls one 10-second bucket of one token can hold from a source: a hundred
    /// thousand a second, far past any quota. A count past it, or below zero, is a line this
    /// viewer cannot read (it would trap, or make it build billions of records).
    static let maxBucketCount = 1_000_000

    /// A seq must be positive and leave room for its figure's (seq + 1).
    static func sequence(_ seq: Int64) throws(Failure) -> Int64 {
        guard seq > 0, seq < Int64.max else { throw Failure(description: "a line with seq \(seq)") }
        return seq
    }

    private static func call(_ line: CallLine) throws(Failure) -> JournaledCall {
        _ = try sequence(line.seq)
        let outcome: CallOutcome
        if let status = line.status {
            outcome = .status(status)
        } else if let transport = line.transport {
            outcome = .transport(TransportFailure(rawValue: transport) ?? .other)
        } else {
            throw Failure(description: "a call line with neither status nor transport")
        }
        let errors = line.errors.map { error in
            ErrorEntry(
                code: error.code, description: error.description,
                detail: error.field.map { FieldDetail(field: $0, constraint: error.constraint, provided: error.provided) },
                synthesized: error.synthesized)
        }
        let record = CallRecord(
            time: try time(line.time), token: reference(line.token), method: line.method, path: line.path, outcome: outcome,
            latency: duration(milliseconds: line.latencyMs),
            rate: RateHeaders(limit: line.limit, remaining: line.remaining, requestID: line.requestId),
            errors: errors, source: try source(line.source), bodyTruncated: line.bodyTruncated,
            job: line.job.map(JobName.clean), route: line.route.flatMap(route))
        var body: RequestBody?
        if let text = line.requestBody {
            let bytes = line.requestBodyEncoding == "base64" ? Data(base64Encoded: text) : Data(text.utf8)
            guard let bytes else { throw Failure(description: "a request body that is not base64") }
            body = RequestBody(bytes: bytes, cut: line.requestBodyCut ?? false)
        }
        return JournaledCall(
            seq: line.seq, record: record, requestBody: body, requestBodySize: line.requestBodyBytes, requestBodyCut: line.requestBodyCut,
            query: line.query)
    }

    private static func bucket(_ line: BucketLine) throws(Failure) -> CallBucket {
        _ = try sequence(line.seq)
        guard (0...maxBucketCount).contains(line.count) else { throw Failure(description: "a bucket of \(line.count) calls") }
        guard line.firstSeq > 0, line.firstSeq <= line.seq else {
            throw Failure(description: "a bucket whose first_seq \(line.firstSeq) is not within 1…\(line.seq)")
        }
        let token = reference(line.token)
        var figure: ServerFigure?
        if let carried = line.figure {
            figure = ServerFigure(
                seq: line.seq + 1, time: try time(carried.time), token: token, limit: carried.limit, remaining: carried.remaining,
                lowestRemaining: carried.lowestRemaining)
        }
        return CallBucket(
            seq: line.seq, start: try time(line.start), token: token, method: line.method, status: line.status,
            source: try source(line.source), count: line.count, latencySum: duration(milliseconds: line.latencySumMs),
            latencyMax: duration(milliseconds: line.latencyMaxMs), figure: figure, firstSeq: line.firstSeq,
            parts: parts(line.parts ?? [], count: line.count))
    }

    /// A bucket's parts as a source sent them: names cleaned, a route no recorder writes read
    /// as `other`, latencies that do not add up to their part's count left out. Parts whose
    /// counts do not add up to the bucket's, or more of them than a recorder's caps allow, are
    /// left out whole: the bucket's counts still hold, its calls then count as `?` on `other`.
    static func parts(_ lines: [BucketLine.PartJSON], count: Int) -> [BucketPart] {
        guard !lines.isEmpty, lines.count <= maxParts, lines.allSatisfy({ (1...maxBucketCount).contains($0.count) }),
            lines.reduce(0, { $0 + $1.count }) == count
        else { return [] }
        return BucketPart.ordered(lines.map { line in
            BucketPart(
                job: JobName.clean(line.job), route: route(line.route) ?? APIRoute.other, count: line.count,
                latencies: line.latencies.flatMap(LatencyHistogram.init(sparse:)).flatMap { $0.total == line.count ? $0 : nil })
        })
    }

    /// Parts of one bucket at most: every job and route a token may have (`JobName.cap` ×
    /// `APIRoute.cap`) is far more than a 10-second window's calls ever make.
    static let maxParts = 10_000

    /// A route as a recorder writes them (`APIRoute.isWellFormed`); anything else from a
    /// source is read as none, so the call's path names it again.
    static func route(_ text: String) -> String? {
        APIRoute.isWellFormed(text) ? text : nil
    }

    private static func figure(_ line: FigureLine) throws(Failure) -> ServerFigure {
        _ = try sequence(line.seq)
        return ServerFigure(
            seq: line.seq, time: try time(line.time), token: reference(line.token), limit: line.limit, remaining: line.remaining,
            lowestRemaining: line.remaining)
    }

    private static func token(_ line: TokenLine) throws(Failure) -> SeenToken {
        _ = try sequence(line.seq)
        return SeenToken(seq: line.seq, token: reference(line.token), source: try source(line.source), firstSeen: try time(line.firstSeen))
    }
}
