import Foundation
import ManagementAPI

/// The calls and the buckets of a time range merged in (time, seq) order, read a page of each
/// table at a time: a week of a busy journal is millions of rows, and whoever reads it (the
/// admin server's /v1/calls, `mapitop export`) must not hold them all at once.
public struct RangeReader: Sendable {
    public static let defaultPageSize = 2_000
    /// With request bodies (up to 64 KiB each) a page is kept small: 100 calls are at most
    /// 6.4 MiB in hand, where 2 000 could be 128 MiB.
    public static let pageSizeWithBodies = 100
    /// What one page may weigh in hand, however large its rows: a call's errors can be a
    /// megabyte of text, and 2 000 of them were 2 GiB. The first page is small, the next ones
    /// as many rows as the last page's average row lets fit. A prediction, not a bound: small
    /// rows followed by large ones make one heavy page before the size adapts.
    public static let pageBytes = 8 << 20
    static let firstPageSize = 50

    private struct Item: Sendable {
        let time: Date
        let seq: Int64
        let event: JournalEvent
        var cursor: RangeCursor { RangeCursor(time: time, seq: seq) }
    }

    /// One table's rows: a page in hand and a cursor for the next.
    private struct Pages: Sendable {
        var page: [Item] = []
        var index = 0
        var cursor: RangeCursor?
        var exhausted = false
        let pageSize: Int
        /// Rows asked for next: grows with small rows, shrinks with large ones.
        var nextSize: Int
        /// The heaviest page read so far, in bytes (tests check it stays near `pageBytes`).
        var heaviest = 0
        let weight: @Sendable (Item) -> Int
        let fetch: @Sendable (RangeCursor?, Int) async throws -> [Item]

        init(pageSize: Int, weight: @escaping @Sendable (Item) -> Int, fetch: @escaping @Sendable (RangeCursor?, Int) async throws -> [Item]) {
            self.pageSize = pageSize
            nextSize = min(pageSize, RangeReader.firstPageSize)
            self.weight = weight
            self.fetch = fetch
        }

        /// The next row, reading a page when the one in hand is spent; nil at the end.
        mutating func peek() async throws -> Item? {
            if index == page.count, !exhausted {
                let asked = nextSize
                page = try await fetch(cursor, asked)
                index = 0
                exhausted = page.count < asked
                if let last = page.last { cursor = last.cursor }
                let bytes = page.reduce(0) { $0 + weight($1) }
                heaviest = max(heaviest, bytes)
                let average = max(1, bytes / max(1, page.count))
                nextSize = max(1, min(pageSize, RangeReader.pageBytes / average))
            }
            return index < page.count ? page[index] : nil
        }

        mutating func advance() { index += 1 }
    }

    private var calls: Pages
    private var buckets: Pages

    /// `bodies`: whether calls carry their request bodies (an export does; the wire never).
    public init(reader: JournalReader, from: Date, to: Date, bodies: Bool, pageSize requested: Int = RangeReader.defaultPageSize) {
        // A page of no rows would read nothing and end the range at once.
        let pageSize = max(1, requested)
        calls = Pages(pageSize: bodies ? min(pageSize, Self.pageSizeWithBodies) : pageSize, weight: Self.weight) { cursor, size in
            try await reader.failedCalls(from: from, to: to, after: cursor, limit: size, bodies: bodies)
                .map { Item(time: $0.record.time, seq: $0.seq, event: .call($0)) }
        }
        buckets = Pages(pageSize: pageSize, weight: Self.weight) { cursor, size in
            // A bucket's place is its identity: its seq changes while its window is open.
            try await reader.buckets(from: from, to: to, after: cursor, limit: size)
                .map { Item(time: $0.start, seq: $0.firstSeq, event: .bucket($0)) }
        }
    }

    /// The heaviest page read so far, in bytes.
    var heaviestPage: Int { max(calls.heaviest, buckets.heaviest) }

    private static func weight(_ item: Item) -> Int { item.event.heldBytes }

    /// The next event (a call or a bucket), oldest first; nil once the range is done.
    public mutating func next() async throws -> JournalEvent? {
        let call = try await calls.peek()
        let bucket = try await buckets.peek()
        switch (call, bucket) {
        case (nil, nil):
            return nil
        case (let call?, nil):
            calls.advance()
            return call.event
        case (nil, let bucket?):
            buckets.advance()
            return bucket.event
        case (let call?, let bucket?):
            if (call.time, call.seq) < (bucket.time, bucket.seq) {
                calls.advance()
                return call.event
            }
            buckets.advance()
            return bucket.event
        }
    }
}
