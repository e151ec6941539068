import Foundation
import Hummingbird
import Journal
import Monitor
import NIOCore

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
        let reader = sources.reader
        // The first pages are read before answering, so a journal that cannot be read is an
        // error status rather than a 200 cut short.
        var merge = try CallsMerge(reader: reader, from: from, to: to, filter: filter)
        let first = try merge.next(atMost: pageSize)
        let rest = merge
        let body = ResponseBody { writer in
            var merge = rest
            var chunk = first
            while !chunk.isEmpty {
                try await writer.write(ByteBuffer(string: chunk.joined()))
                chunk = try merge.next(atMost: pageSize)
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/jsonl; charset=utf-8"], body: body)
    }

    /// ISO 8601, with or without fractional seconds, with a zone.
    static func time(_ field: String, _ text: String) throws -> Date {
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return date }
        throw AdminError.invalid(field, "must be an ISO 8601 time such as 2026-11-25T03:00:00Z", provided: text)
    }
}

/// The calls and the buckets of a range merged in (time, seq) order, read a page of each table
/// at a time, filtered, as wire lines.
struct CallsMerge: Sendable {
    private struct Item: Sendable {
        let time: Date
        let seq: Int64
        let event: JournalEvent
        var cursor: RangeCursor { RangeCursor(time: time, seq: seq) }
    }

    /// One table's rows, a page in hand and a cursor for the next.
    private struct Pages: Sendable {
        var page: [Item] = []
        var index = 0
        var cursor: RangeCursor?
        var exhausted = false
        let fetch: @Sendable (RangeCursor?) throws -> [Item]

        /// The next row, reading a page when the one in hand is spent; nil at the end.
        mutating func peek() throws -> Item? {
            if index == page.count, !exhausted {
                page = try fetch(cursor)
                index = 0
                exhausted = page.count < CallsRoute.pageSize
                if let last = page.last { cursor = last.cursor }
            }
            return index < page.count ? page[index] : nil
        }

        mutating func advance() { index += 1 }
    }

    private var calls: Pages
    private var buckets: Pages
    private let filter: Filter

    init(reader: JournalReader, from: Date, to: Date, filter: Filter) throws {
        self.filter = filter
        let size = CallsRoute.pageSize
        calls = Pages { cursor in
            try reader.failedCalls(from: from, to: to, after: cursor, limit: size, bodies: false)
                .map { Item(time: $0.record.time, seq: $0.seq, event: .call($0)) }
        }
        buckets = Pages { cursor in
            try reader.buckets(from: from, to: to, after: cursor, limit: size)
                .map { Item(time: $0.start, seq: $0.seq, event: .bucket($0)) }
        }
    }

    /// Up to `count` matching lines, oldest first; empty once the range is done.
    mutating func next(atMost count: Int) throws -> [String] {
        var lines: [String] = []
        while lines.count < count {
            let call = try calls.peek()
            let bucket = try buckets.peek()
            let item: Item
            switch (call, bucket) {
            case (nil, nil): return lines
            case (let call?, nil):
                item = call
                calls.advance()
            case (nil, let bucket?):
                item = bucket
                buckets.advance()
            case (let call?, let bucket?):
                if (call.time, call.seq) < (bucket.time, bucket.seq) {
                    item = call
                    calls.advance()
                } else {
                    item = bucket
                    buckets.advance()
                }
            }
            if matches(item.event) { lines.append(WireFormat.line(item.event) + "\n") }
        }
        return lines
    }

    private func matches(_ event: JournalEvent) -> Bool {
        switch event {
        case .call(let call): filter.matches(call.record)
        case .bucket(let bucket): bucket.count > 0 && filter.matches(bucket.call(at: 0))
        case .figure, .token: false
        }
    }
}
