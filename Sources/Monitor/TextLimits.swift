import ManagementAPI

/// How much network text the monitor keeps per call. Everything here came from the
/// network (the upstream's codes and descriptions, the caller's path), so without caps one
/// answer could pin a megabyte in the ring for as long as it is retained.
public struct TextLimits: Sendable, Hashable {
    /// In UTF-8 bytes, the mark included.
    public var code: Int
    public var description: Int
    public var path: Int
    public var method: Int
    public var requestID: Int
    /// A field detail's field, constraint and provided value, each.
    public var fieldDetail: Int
    /// Error entries kept per call; the last kept one says how many more there were.
    public var errors: Int

    /// Appended where text was cut, so a cut never reads as the whole of it.
    public static let cutMark = "…"

    public init(code: Int = 64, description: Int = 1_024, path: Int = 512, method: Int = 16, requestID: Int = 128,
                fieldDetail: Int = 256, errors: Int = 50)
    {
        self.code = code
        self.description = description
        self.path = path
        self.method = method
        self.requestID = requestID
        self.fieldDetail = fieldDetail
        self.errors = max(1, errors)
    }

    /// The record with every string within its cap; the same record when nothing is over.
    public func trimmed(_ record: CallRecord) -> CallRecord {
        guard exceeds(record) else { return record }
        var errors = record.errors.prefix(self.errors).map(trimmed)
        if record.errors.count > self.errors, let last = errors.popLast() {
            // The marker takes the last kept entry's code, so it adds no group of its own.
            let more = record.errors.count - errors.count
            errors.append(ErrorEntry(code: last.code, description: "\(Self.cutMark) \(more) more errors not kept", synthesized: true))
        }
        let rate = RateHeaders(limit: record.rate.limit, remaining: record.rate.remaining,
                               requestID: record.rate.requestID.map { Self.cut($0, to: requestID) })
        return CallRecord(time: record.time, token: record.token, method: Self.cut(record.method, to: method),
                          path: Self.cut(record.path, to: path), outcome: record.outcome, latency: record.latency, rate: rate,
                          errors: errors, source: record.source, bodyTruncated: record.bodyTruncated, job: record.job,
                          route: record.route)
    }

    private func exceeds(_ record: CallRecord) -> Bool {
        record.errors.count > errors || record.method.utf8.count > method || record.path.utf8.count > path
            || (record.rate.requestID?.utf8.count ?? 0) > requestID || record.errors.contains(where: exceeds)
    }

    private func exceeds(_ entry: ErrorEntry) -> Bool {
        entry.code.utf8.count > code || entry.description.utf8.count > description
            || entry.detail.map { detail in
                detail.field.utf8.count > fieldDetail || (detail.constraint?.utf8.count ?? 0) > fieldDetail
                    || (detail.provided?.utf8.count ?? 0) > fieldDetail
            } ?? false
    }

    private func trimmed(_ entry: ErrorEntry) -> ErrorEntry {
        guard exceeds(entry) else { return entry }
        let detail = entry.detail.map { detail in
            FieldDetail(field: Self.cut(detail.field, to: fieldDetail), constraint: detail.constraint.map { Self.cut($0, to: fieldDetail) },
                        provided: detail.provided.map { Self.cut($0, to: fieldDetail) })
        }
        return ErrorEntry(code: Self.cut(entry.code, to: code), description: Self.cut(entry.description, to: description),
                          detail: detail, synthesized: entry.synthesized)
    }

    /// At most `limit` UTF-8 bytes, cut on a scalar boundary and marked. Scalars, not
    /// characters: one "character" of a base and a million combining marks is a megabyte.
    static func cut(_ text: String, to limit: Int) -> String {
        let utf8 = text.utf8
        guard utf8.count > limit else { return text }
        var end = utf8.index(utf8.startIndex, offsetBy: max(0, limit - cutMark.utf8.count))
        // Back off continuation bytes (10xxxxxx) to the start of the scalar they belong to.
        while end > utf8.startIndex, utf8[end] & 0b1100_0000 == 0b1000_0000 { end = utf8.index(before: end) }
        return String(decoding: utf8[..<end], as: UTF8.self) + cutMark
    }
}
