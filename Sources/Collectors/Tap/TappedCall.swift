import ManagementAPI
import NIOCore

/// One call the tap answered: its record, and the request body the job sent, so a journal
/// can keep what a failed call carried (the record alone never holds a body).
public struct TappedCall: Sendable {
    public let record: CallRecord
    /// The body as the tap read it (at most its `maxRequestBody`); nil when the call was
    /// refused before the body was read (an invalid target, a body over the limit).
    public let requestBody: ByteBuffer?
    /// The query string the job sent (without `?`), which the record's path leaves out.
    public let query: String?
    /// An error answer's body, decoded into the record's errors by `decoded()`, off the tap's
    /// event loop (the delivery calls it): up to a megabyte of JSON through its codings.
    let undecoded: UndecodedError?

    public init(record: CallRecord, requestBody: ByteBuffer?, query: String? = nil) {
        self.init(record: record, requestBody: requestBody, query: query, undecoded: nil)
    }

    init(record: CallRecord, requestBody: ByteBuffer?, query: String?, undecoded: UndecodedError?) {
        self.record = record
        self.requestBody = requestBody
        self.query = query
        self.undecoded = undecoded
    }

    /// Bytes this call holds for the queue's budget: its request body and its answer to decode.
    var heldBytes: Int { (requestBody?.readableBytes ?? 0) + (undecoded?.body.count ?? 0) }

    /// The call with its error answer decoded into the record's errors.
    func decoded() -> TappedCall {
        guard let undecoded else { return self }
        let errors = ResponseDecoder.decodeError(
            status: undecoded.status, wireBody: undecoded.body, contentEncoding: undecoded.contentEncoding, limit: undecoded.limit).entries
        let record = CallRecord(time: record.time, token: record.token, method: record.method, path: record.path, outcome: record.outcome,
                                latency: record.latency, rate: record.rate, errors: errors, source: record.source,
                                bodyTruncated: record.bodyTruncated)
        return TappedCall(record: record, requestBody: requestBody, query: query, undecoded: nil)
    }
}

/// An error answer as the tap read it, to be decoded by the delivery.
struct UndecodedError: Sendable {
    let status: Int
    let contentEncoding: String?
    let body: [UInt8]
    let limit: Int
}
