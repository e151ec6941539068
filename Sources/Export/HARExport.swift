import Foundation
import Journal
import ManagementAPI
import Wire

/// HAR 1.2 (the W3C draft every browser and proxy tool reads): one entry per failed call, in
/// time order. Successful calls live in the journal only as 10-second buckets, which HAR has no
/// shape for: `log.comment` says how many were folded so the document does not pass for the
/// whole traffic.
///
/// What the journal does not keep is not invented: the request's other headers, its query
/// string and the response's body are gone; the response content is rebuilt from the decoded
/// errors as the API's `{"errors":[…]}` and says so in its comment. Authorization is the
/// `$JWP_SECRET_<LABEL>` placeholder. A call with no HTTP answer has status 0, as browsers
/// write it.
struct HARExport: ExportWriter {
    let apiBase: String
    private var entries = 0
    private var folded = (buckets: 0, calls: 0)

    init(apiBase: String) {
        self.apiBase = apiBase
    }

    func begin() -> String {
        // `pages` is optional in HAR 1.2, but Firefox's importer reads it unguarded.
        #"{"log":{"version":"1.2","creator":{"name":"mapitop","version":"\#(MapitopVersion.string)"},"pages":[],"entries":["# + "\n"
    }

    mutating func write(_ event: ExportedEvent) -> String {
        switch event {
        case .bucket(let bucket):
            folded.buckets += 1
            folded.calls += bucket.count
            return ""
        case .call(let call):
            defer { entries += 1 }
            return (entries == 0 ? "" : ",\n") + Self.encode(entry(call))
        }
    }

    func end() -> String {
        let comment = "Exported by mapitop: \(entries) failed calls in full; \(folded.calls) successful calls in "
            + "\(folded.buckets) 10-second buckets are not listed (the journal keeps only their counts)."
        return "\n],\"comment\":" + Self.encode(comment) + "}}\n"
    }

    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return WireFormat.escapingInvisibles(String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self))
    }

    private func entry(_ call: JournaledCall) -> HAR.Entry {
        let record = call.record
        let milliseconds = max(0, WireFormat.milliseconds(record.latency))
        var requestHeaders = [HAR.Header(name: "Authorization", value: SecretPlaceholder.authorization(for: record.token))]
        var postData: HAR.PostData?
        if let body = call.requestBody {
            let encoded = ExportBody(body)
            let isText = encoded.encoding == "utf8"
            requestHeaders.append(HAR.Header(name: "Content-Type", value: CurlCommand.contentType))
            var notes: [String] = []
            if !isText { notes.append("base64: the body is not plain UTF-8 text") }
            if body.cut { notes.append("cut at \(RequestBody.cap) bytes by the journal") }
            postData = HAR.PostData(
                mimeType: isText ? CurlCommand.contentType : "application/octet-stream", text: encoded.text,
                comment: notes.isEmpty ? nil : notes.joined(separator: "; "))
        }
        let request = HAR.Request(
            method: record.method, url: CurlCommand.safeURL(CurlCommand.url(base: apiBase, path: call.target)),
            headers: requestHeaders, queryString: HAR.queryString(call.query), postData: postData, bodySize: call.requestBodySize ?? 0)
        return HAR.Entry(
            startedDateTime: ExportTime.text(record.time), time: milliseconds, request: request, response: response(record),
            timings: HAR.Timings(wait: milliseconds), job: record.job, route: record.route,
            comment: "mapitop seq \(call.seq), token \(record.token.displayName), \(record.source.rawValue)")
    }

    private func response(_ record: CallRecord) -> HAR.Response {
        var headers: [HAR.Header] = []
        if let limit = record.rate.limit { headers.append(HAR.Header(name: "jw-request-limit", value: String(limit))) }
        if let remaining = record.rate.remaining { headers.append(HAR.Header(name: "jw-request-remaining", value: String(remaining))) }
        if let id = record.rate.requestID { headers.append(HAR.Header(name: "jw-request-id", value: id)) }
        switch record.outcome {
        case .transport(let failure):
            return HAR.Response(
                status: 0, statusText: "", headers: headers,
                content: HAR.Content(size: 0, mimeType: "x-unknown", text: nil, comment: nil),
                comment: "no HTTP answer: \(failure.summary)")
        case .status(let status):
            let errors = record.errors.filter { !$0.synthesized }
            let text = errors.isEmpty ? nil : Self.encode(HAR.ErrorsBody(errors: errors.map { .init(code: $0.code, description: $0.description) }))
            return HAR.Response(
                status: status, statusText: StandardCodes.reasonPhrase(status), headers: headers,
                content: HAR.Content(
                    size: text?.utf8.count ?? 0, mimeType: text == nil ? "x-unknown" : "application/json", text: text,
                    comment: text == nil
                        ? "the journal keeps no body for this answer" + (record.errors.first.map { ": " + $0.description } ?? "")
                        : "rebuilt from the decoded errors"),
                comment: nil)
        }
    }
}

/// The HAR 1.2 objects mapitop writes; field names as the spec spells them.
enum HAR {
    struct Header: Encodable {
        let name: String
        let value: String
    }

    struct PostData: Encodable {
        let mimeType: String
        let text: String
        let comment: String?
    }

    struct Request: Encodable {
        let method: String
        let url: String
        var httpVersion = "HTTP/1.1"
        var cookies: [Header] = []
        let headers: [Header]
        let queryString: [Header]
        let postData: PostData?
        var headersSize = -1
        let bodySize: Int
    }

    struct Content: Encodable {
        let size: Int
        let mimeType: String
        let text: String?
        let comment: String?
    }

    struct Response: Encodable {
        let status: Int
        let statusText: String
        var httpVersion = "HTTP/1.1"
        var cookies: [Header] = []
        let headers: [Header]
        let content: Content
        var redirectURL = ""
        var headersSize = -1
        var bodySize = -1
        let comment: String?
    }

    struct Timings: Encodable {
        var send = 0.0
        let wait: Double
        var receive = 0.0
    }

    struct Cache: Encodable {}

    /// `a=1&b=x%20y` as HAR's name/value pairs, decoded; an undecodable part stays as sent.
    static func queryString(_ query: String?) -> [Header] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return Header(name: decoded(parts[0]), value: parts.count > 1 ? decoded(parts[1]) : "")
        }
    }

    struct Entry: Encodable {
        let startedDateTime: String
        let time: Double
        let request: Request
        let response: Response
        var cache = Cache()
        let timings: Timings
        /// Custom fields (HAR 1.2 allows them with a leading underscore): who called, and where.
        let job: String
        let route: String
        let comment: String

        enum CodingKeys: String, CodingKey {
            case startedDateTime, time, request, response, cache, timings, comment
            case job = "_job", route = "_route"
        }
    }

    struct ErrorsBody: Encodable {
        struct Error: Encodable {
            let code: String
            let description: String
        }

        let errors: [Error]
    }
}
