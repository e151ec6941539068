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

    public init(record: CallRecord, requestBody: ByteBuffer?, query: String? = nil) {
        self.record = record
        self.requestBody = requestBody
        self.query = query
    }
}
