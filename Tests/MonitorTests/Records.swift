import Foundation
import ManagementAPI
@testable import Monitor

/// Builds call records for the monitor's tests.
enum Records {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static let ingest = TokenReference(fingerprint: Secret("ingest-secret").fingerprint, label: "ingest")
    static let cms = TokenReference(fingerprint: Secret("cms-secret").fingerprint, label: "cms-sync")
    static let stranger = TokenReference(fingerprint: Secret("unknown-secret").fingerprint, label: nil)

    static func record(_ token: TokenReference = ingest, at offset: TimeInterval, status: Int = 200, remaining: Int? = nil,
                       limit: Int? = 60, errors: [ErrorEntry] = [], method: String = "GET",
                       path: String = "/v2/sites/Abcd1234/media/", source: CallSource = .tap) -> CallRecord
    {
        CallRecord(time: start.addingTimeInterval(offset), token: token, method: method, path: path, outcome: .status(status),
                   latency: .milliseconds(12), rate: RateHeaders(limit: remaining == nil ? nil : limit, remaining: remaining, requestID: "r\(Int(offset))"),
                   errors: errors, source: source)
    }

    static func transport(_ token: TokenReference = ingest, at offset: TimeInterval, _ failure: TransportFailure = .refused,
                          source: CallSource = .probe) -> CallRecord
    {
        CallRecord(time: start.addingTimeInterval(offset), token: token, method: "GET", path: "/v2/webhooks/",
                   outcome: .transport(failure), latency: .milliseconds(3), rate: .unknown,
                   errors: [ErrorEntry(code: failure.rawValue, description: failure.summary, synthesized: true)], source: source)
    }

    static func badRequest(_ token: TokenReference = ingest, at offset: TimeInterval, codes: [String] = ["too_long"],
                           method: String = "POST") -> CallRecord
    {
        let errors = codes.map { code in
            ErrorEntry(code: code, description: "Field 'metadata.title' must be shorter than '255' characters. Value of 'x' was provided.",
                       detail: FieldDetail(field: code == "required" ? "upload.method" : "metadata.title", constraint: "255", provided: "x"))
        }
        return record(token, at: offset, status: 400, remaining: 40, errors: errors, method: method)
    }

    static func error(_ status: Int, _ token: TokenReference = ingest, at offset: TimeInterval) -> CallRecord {
        record(token, at: offset, status: status, remaining: status == 429 ? 0 : 30,
               errors: [ErrorEntry(code: StandardCodes.code(forStatus: status), description: "status \(status)")])
    }

    static func at(_ offset: TimeInterval) -> Date { start.addingTimeInterval(offset) }
}
