import Foundation
import ManagementAPI

/// One queued record: what `JournalWriter.append` takes, waiting for the next batch.
struct JournalEntry: Sendable {
    let record: CallRecord
    /// Kept only for non-2xx calls: the journal never stores a successful call's body.
    let requestBody: RequestBody?
    /// The query string the call was sent with (without `?`), kept with a non-2xx call so it
    /// can be replayed; the record's path never has one.
    let query: String?

    /// Caps a non-2xx call's body at 64 KiB (its query at 8 KiB) and drops a successful
    /// call's body and query unread.
    init(record: CallRecord, body: Data?, query: String? = nil) {
        self.record = record
        let isSuccess = record.outcome.status.map { (200..<300).contains($0) } ?? false
        requestBody = isSuccess ? nil : body.map(RequestBody.init(capping:))
        self.query = isSuccess ? nil : query.flatMap { $0.isEmpty ? nil : String($0.utf8.prefix(8_192)) }
    }

    /// The status of a 2xx call, which is folded into a bucket; nil for anything else.
    var successStatus: Int? {
        guard let status = record.outcome.status, (200..<300).contains(status) else { return nil }
        return status
    }

    /// What the queue holds of its body, for the queue's byte budget.
    var bodyBytes: Int { (requestBody?.bytes.count ?? 0) + (query?.utf8.count ?? 0) }

    /// A record carries a server figure when it has any jw-request-* count.
    var hasFigure: Bool { record.rate.limit != nil || record.rate.remaining != nil }
}
