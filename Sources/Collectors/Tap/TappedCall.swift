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
    /// The connection's caller, for the delivery to name the call's job (`TapAttribution`).
    let caller: CallerCell?
    /// The job's User-Agent, as sent (a rule or the fallback name reads its start only).
    let userAgent: String?

    public init(record: CallRecord, requestBody: ByteBuffer?, query: String? = nil) {
        self.init(record: record, requestBody: requestBody, query: query, caller: nil, userAgent: nil)
    }

    init(record: CallRecord, requestBody: ByteBuffer?, query: String?, caller: CallerCell?, userAgent: String?,
         undecoded: UndecodedError? = nil)
    {
        self.record = record
        self.requestBody = requestBody
        self.query = query
        self.caller = caller
        self.userAgent = userAgent
        self.undecoded = undecoded
    }

    func with(undecoded: UndecodedError?) -> TappedCall {
        TappedCall(record: record, requestBody: requestBody, query: query, caller: caller, userAgent: userAgent, undecoded: undecoded)
    }

    func with(record: CallRecord) -> TappedCall {
        TappedCall(record: record, requestBody: requestBody, query: query, caller: caller, userAgent: userAgent, undecoded: undecoded)
    }

    /// Bytes this call holds for the queue's budget: its request body and its answer to decode.
    var heldBytes: Int { (requestBody?.readableBytes ?? 0) + (undecoded?.body.count ?? 0) }

    /// The call with its error answer decoded into the record's errors.
    func decoded() -> TappedCall {
        guard let undecoded else { return self }
        let errors = ResponseDecoder.decodeError(
            status: undecoded.status, wireBody: undecoded.body, contentEncoding: undecoded.contentEncoding, limit: undecoded.limit).entries
        return with(record: record.withErrors(errors)).with(undecoded: nil)
    }
}

/// An error answer as the tap read it, to be decoded by the delivery.
struct UndecodedError: Sendable {
    let status: Int
    let contentEncoding: String?
    let body: [UInt8]
    let limit: Int
}
