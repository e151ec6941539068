import Foundation
import Journal
import ManagementAPI

/// Tokens of a second source, and of every one after it, show as `label@host` (DESIGN.md
/// section 9): the same label on two boxes is two rows, never one row adding two quotas.
/// The suffix goes on the fingerprint too, so the monitor keeps them apart.
struct SourceLabel: Sendable {
    /// `@host`; nil for the first source, whose tokens keep their own names.
    let suffix: String?

    func token(_ reference: TokenReference) -> TokenReference {
        guard let suffix else { return reference }
        return TokenReference(fingerprint: Fingerprint(hex: reference.fingerprint.hex + suffix), label: reference.label.map { $0 + suffix })
    }

    func call(_ record: CallRecord) -> CallRecord {
        // The fold of tokens past the cap carries no figure, here as in a rebuild.
        let record = record.token.fingerprint == TokenReference.other.fingerprint ? record.withoutFigure : record
        guard suffix != nil else { return record }
        return CallRecord(
            time: record.time, token: token(record.token), method: record.method, path: record.path, outcome: record.outcome,
            latency: record.latency, rate: record.rate, errors: record.errors, source: record.source, bodyTruncated: record.bodyTruncated,
            job: record.job, route: record.route)
    }

    func bucket(_ bucket: CallBucket) -> CallBucket {
        guard suffix != nil else { return bucket }
        return CallBucket(
            seq: bucket.seq, start: bucket.start, token: token(bucket.token), method: bucket.method, status: bucket.status,
            source: bucket.source, count: bucket.count, latencySum: bucket.latencySum, latencyMax: bucket.latencyMax,
            figure: bucket.figure, firstSeq: bucket.firstSeq, parts: bucket.parts)
    }
}
