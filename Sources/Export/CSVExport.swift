import Foundation
import Journal
import ManagementAPI
import Wire

/// CSV (RFC 4180): a header row, then a row per failed call and per job and route of a bucket, CRLF line ends, a field
/// quoted when it holds a quote, a comma or a line break, quotes doubled inside.
///
/// The readable columns (code, field, description, path, …) show the first error and escape
/// what could act on a terminal or a spreadsheet (see `TextEscaping`); `errors_json` holds every
/// error exactly, as JSON, for a program to read back. A body that is not plain UTF-8 text is
/// base64 (`request_body_encoding`).
struct CSVExport: ExportWriter {
    static let columns = [
        "type", "seq", "time", "token", "fingerprint", "source", "method", "path", "query", "status", "transport", "count",
        "latency_ms", "limit", "remaining", "request_id", "code", "field", "description", "errors", "errors_json",
        "request_body", "request_body_encoding", "request_body_cut", "authorization", "job", "route",
    ]

    func begin() -> String { Self.row(Self.columns) }

    func write(_ event: ExportedEvent) -> String {
        var cells = [String: String]()
        switch event {
        case .call(let call):
            let record = call.record
            fillRow(&cells, type: "call", seq: call.seq, time: record.time, token: record.token, source: record.source, method: record.method)
            cells["path"] = readable(record.path)
            cells["query"] = call.query.map(readable)
            switch record.outcome {
            case .status(let status): cells["status"] = String(status)
            case .transport(let failure): cells["transport"] = failure.rawValue
            }
            cells["count"] = "1"
            cells["latency_ms"] = ExportTime.milliseconds(record.latency)
            cells["limit"] = record.rate.limit.map(String.init)
            cells["remaining"] = record.rate.remaining.map(String.init)
            cells["request_id"] = record.rate.requestID.map(readable)
            let first = record.errors.first
            cells["code"] = first.map { readable($0.code) }
            cells["field"] = first?.detail.map { readable($0.field) }
            cells["description"] = first.map { readable($0.description) }
            cells["errors"] = String(record.errors.count)
            cells["errors_json"] = ExportJSON.errors(record.errors)
            if let body = call.requestBody {
                let encoded = ExportBody(body)
                // Plain text only (controls force base64), but a formula must not run either;
                // base64 (whose alphabet has `+`) is left exact so it still decodes.
                cells["request_body"] = encoded.encoding == "utf8" ? TextEscaping.spreadsheetSafe(encoded.text) : encoded.text
                cells["request_body_encoding"] = encoded.encoding
                cells["request_body_cut"] = body.cut ? "true" : "false"
            }
            cells["authorization"] = SecretPlaceholder.authorization(for: record.token)
            cells["job"] = readable(record.job)
            cells["route"] = readable(record.route)
        case .bucket(let bucket):
            fillRow(&cells, type: "bucket", seq: bucket.seq, time: bucket.start, token: bucket.token, source: bucket.source, method: bucket.method)
            cells["status"] = String(bucket.status)
            cells["count"] = String(bucket.count)
            cells["latency_ms"] = ExportTime.milliseconds(bucket.meanLatency)
            cells["errors"] = "0"
            // A row per job and route of the bucket (one with `?` and `other` for a bucket from
            // before them): the counts of a column still add up to the successes.
            let parts = bucket.parts.isEmpty
                ? [BucketPart(job: JobName.unknown, route: APIRoute.other, count: bucket.count, latencies: nil)] : bucket.parts
            return parts.map { part in
                var row = cells
                row["count"] = String(part.count)
                row["job"] = readable(part.job)
                row["route"] = readable(part.route)
                return Self.row(Self.columns.map { row[$0] ?? "" })
            }.joined()
        }
        return Self.row(Self.columns.map { cells[$0] ?? "" })
    }

    func end() -> String { "" }

    /// The cells a call and a bucket share.
    private func fillRow(
        _ cells: inout [String: String], type: String, seq: Int64, time: Date, token: TokenReference, source: CallSource, method: String
    ) {
        cells["type"] = type
        cells["seq"] = String(seq)
        cells["time"] = ExportTime.text(time)
        cells["token"] = readable(token.displayName)
        cells["fingerprint"] = readable(token.fingerprint.hex)
        cells["source"] = source.rawValue
        cells["method"] = readable(method)
    }

    private func readable(_ text: String) -> String {
        TextEscaping.spreadsheetSafe(TextEscaping.visible(text))
    }

    static func row(_ fields: [String]) -> String {
        fields.map(quoted).joined(separator: ",") + "\r\n"
    }

    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "\"" || $0 == "," || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// A request body as export text: UTF-8 when it is plain text, else base64.
struct ExportBody {
    let text: String
    let encoding: String

    init(_ body: RequestBody) {
        if let text = CurlCommand.plainText([UInt8](body.bytes)) {
            self.text = text
            encoding = "utf8"
        } else {
            text = body.bytes.base64EncodedString()
            encoding = "base64"
        }
    }
}

enum ExportTime {
    /// ISO 8601 with milliseconds, UTC: what `/v1/calls` and HAR use.
    static func text(_ date: Date) -> String { WireFormat.time(date) }

    static func milliseconds(_ duration: Duration) -> String {
        String(format: "%.3f", WireFormat.milliseconds(duration))
    }
}

enum ExportJSON {
    /// Every error of a call, exactly, as a JSON array (controls escaped by JSON itself).
    static func errors(_ errors: [ErrorEntry]) -> String {
        let objects: [[String: String]] = errors.map { error in
            var object = ["code": error.code, "description": error.description]
            if let detail = error.detail {
                object["field"] = detail.field
                object["constraint"] = detail.constraint
                object["provided"] = detail.provided
            }
            return object
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return WireFormat.escapingInvisibles(String(decoding: (try? encoder.encode(objects)) ?? Data("[]".utf8), as: UTF8.self))
    }
}
