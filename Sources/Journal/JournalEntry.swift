import Foundation
import ManagementAPI

/// One queued record: what `JournalWriter.append` takes, waiting for the next batch.
struct JournalEntry: Sendable {
    let record: CallRecord
    /// Kept only for non-2xx calls: the journal never stores a successful call's body.
    let requestBody: RequestBody?

    /// Caps a non-2xx call's body at 64 KiB and drops a successful call's body unread.
    init(record: CallRecord, body: Data?) {
        self.record = record
        let isSuccess = record.outcome.status.map { (200..<300).contains($0) } ?? false
        requestBody = isSuccess ? nil : body.map(RequestBody.init(capping:))
    }

    /// The status of a 2xx call, which is folded into a bucket; nil for anything else.
    var successStatus: Int? {
        guard let status = record.outcome.status, (200..<300).contains(status) else { return nil }
        return status
    }

    /// What the queue holds of its body, for the queue's byte budget.
    var bodyBytes: Int { requestBody?.bytes.count ?? 0 }

    /// A record carries a server figure when it has any jw-request-* count.
    var hasFigure: Bool { record.rate.limit != nil || record.rate.remaining != nil }
}
