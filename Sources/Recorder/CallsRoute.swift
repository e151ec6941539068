import Foundation
import Hummingbird
import Journal
import Monitor
import NIOCore
import Wire

/// `GET /v1/calls?from=ISO&to=ISO&filter=EXPR`: the journaled non-2xx calls and the buckets
/// of successful ones in `from <= time < to`, oldest first, one JSON object per line.
/// `from` is required; `to` defaults to now. A bucket is matched as the calls it folds.
///
/// Streamed page by page: a week of a busy journal is millions of rows, and the recorder's
/// memory must not grow with the range a client asks for. Request bodies stay on disk (the
/// wire format never sends them).
enum CallsRoute {
    /// Rows read from each table at a time, and lines sent per write.
    static let pageSize = 2_000

    static func respond(_ request: Request, _ sources: AdminSources, now: Date) async throws -> Response {
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
        let reader = sources.reader
        var merge = CallsMerge(reader: reader, from: from, to: to, filter: filter)
        // The first page is read before answering, so a journal that cannot be read is an
        // error status rather than a 200 cut short.
        let first = try await merge.next()
        let rest = merge
        let body = ResponseBody { writer in
            var merge = rest
            var chunk = first
            while true {
                if !chunk.lines.isEmpty { try await writer.write(ByteBuffer(string: chunk.lines.joined())) }
                if chunk.done { break }
                chunk = try await merge.next()
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/jsonl; charset=utf-8"], body: body)
    }

    /// ISO 8601, with or without fractional seconds, with a zone.
    static func time(_ field: String, _ text: String) throws -> Date {
        guard let date = try? WireDecoding.time(text) else {
            throw AdminError.invalid(field, "must be an ISO 8601 time such as 2026-11-25T03:00:00Z", provided: text)
        }
        return date
    }
}

/// The lines of a range that a filter keeps, a page at a time.
struct CallsMerge: Sendable {
    private var range: RangeReader
    private let filter: Filter

    init(reader: JournalReader, from: Date, to: Date, filter: Filter) {
        range = RangeReader(reader: reader, from: from, to: to, bodies: false, pageSize: CallsRoute.pageSize)
        self.filter = filter
    }

    /// The matching lines among the next `CallsRoute.pageSize` rows, oldest first, and whether
    /// the range is done. Bounded by rows read, not lines kept, so a filter that keeps nothing
    /// still hands control back (and a client that left is noticed) every page.
    mutating func next() async throws -> (lines: [String], done: Bool) {
        var lines: [String] = []
        var bytes = 0
        // Also bounded by bytes: lines of megabyte errors are sent a few at a time.
        for _ in 0..<CallsRoute.pageSize where bytes < RangeReader.pageBytes {
            guard let event = try await range.next() else { return (lines, true) }
            if filter.matches(event) {
                let line = WireFormat.line(event) + "\n"
                bytes += line.utf8.count
                lines.append(line)
            }
        }
        return (lines, false)
    }
}
