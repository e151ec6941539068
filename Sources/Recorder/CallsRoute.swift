import Foundation
import Hummingbird
import Journal
import Monitor

/// `GET /v1/calls?from=ISO&to=ISO&filter=EXPR`: the journaled non-2xx calls and the buckets
/// of successful ones in `from <= time < to`, oldest first, one JSON object per line.
/// `from` is required; `to` defaults to now. A bucket is matched as the calls it folds.
enum CallsRoute {
    static func respond(_ request: Request, _ sources: AdminSources, now: Date) throws -> Response {
        let query = request.uri.queryParameters
        guard let fromText = query.get("from") else {
            throw AdminError(status: .badRequest, code: "required", description: "Field 'from' is required.")
        }
        let from = try time("from", fromText)
        let to = try query.get("to").map { try time("to", $0) } ?? now
        guard from <= to else {
            throw AdminError.invalid("to", "must not be before 'from'", provided: query.get("to") ?? "")
        }
        let filter: Filter
        do {
            filter = try Filter(parsing: query.get("filter") ?? "")
        } catch {
            throw AdminError.invalid("filter", "cannot be parsed (\(error))", provided: query.get("filter") ?? "")
        }
        let calls = try sources.reader.failedCalls(from: from, to: to)
            .filter { filter.matches($0.record) }
            .map { (time: $0.record.time, seq: $0.seq, event: JournalEvent.call($0)) }
        let buckets = try sources.reader.buckets(from: from, to: to)
            .filter { bucket in bucket.expanded().first.map(filter.matches) ?? false }
            .map { (time: $0.start, seq: $0.seq, event: JournalEvent.bucket($0)) }
        let lines = (calls + buckets)
            .sorted { ($0.time, $0.seq) < ($1.time, $1.seq) }
            .map { WireFormat.line($0.event) + "\n" }
        return Response(
            status: .ok, headers: [.contentType: "application/jsonl; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: lines.joined())))
    }

    /// ISO 8601, with or without fractional seconds, with a zone.
    static func time(_ field: String, _ text: String) throws -> Date {
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return date }
        throw AdminError.invalid(field, "must be an ISO 8601 time such as 2026-11-25T03:00:00Z", provided: text)
    }
}
