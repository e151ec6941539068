import CSV
import Foundation
import Journal
import ManagementAPI

/// A real journal file with what an export must survive: field errors, a figure, a transport
/// failure, a binary body, a body past the cap, hostile text in every text column, and
/// successes folded into buckets.
struct ExportJournal {
    static let start = Date(timeIntervalSinceReferenceDate: 810_000_000)
    static let ingestSecret = "export-ingest-secret-4411"
    static let ingest = TokenReference(fingerprint: Secret(ingestSecret).fingerprint, label: "ingest")
    /// A label with everything CSV quoting must carry, and a formula's first character.
    static let hostileLabel = TokenReference(fingerprint: Secret("export-hostile-secret-4412").fingerprint, label: "=cms, \"sync\"")
    static let stranger = TokenReference(fingerprint: Secret("export-stranger-secret-4413").fingerprint, label: nil)
    /// Quotes, a comma, a line break, an OSC title sequence, a bidi override and a bell.
    static let hostileText = "Field 'metadata.title' is \"bad\", very\nbad \u{1B}]0;pwned\u{07} \u{202E}txt.exe"

    /// The first call's query string: an encoded space, a plus, an empty value.
    static let query = "dry_run=1&title=a%20b+c&empty="

    let folder: String
    var path: String { folder + "/journal.sqlite" }
    /// What was appended, failed calls only, in time order, with their bodies.
    private(set) var failed: [(record: CallRecord, body: Data?)] = []
    private(set) var successes = 0

    init() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-export-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let writer = try JournalWriter(path: path)
        func add(_ record: CallRecord, body: Data? = nil, query: String? = nil) {
            writer.append(record, requestBody: body, query: query)
            if case .status(let status) = record.outcome, (200..<300).contains(status) {
                successes += 1
            } else {
                failed.append((record, body))
            }
        }
        let fields = [
            ErrorEntry(code: "too_long", description: Self.hostileText,
                       detail: FieldDetail(field: "metadata.title", constraint: "255", provided: "x,\"y\"\n\u{1B}[2J")),
            ErrorEntry(code: "required", description: "Field 'upload.method' is required.",
                       detail: FieldDetail(field: "upload.method", constraint: nil, provided: nil)),
        ]
        add(Self.record(1, Self.ingest, method: "POST", path: "/v2/sites/Abcd1234/media/", status: 400, remaining: 41, errors: fields),
            body: Data(#"{"metadata":{"title":"it's \"quoted\", and\nmultiline"},"upload":{}}"#.utf8), query: Self.query)
        for second in 2..<7 { add(Self.record(Double(second), Self.ingest, status: 200, remaining: 40 - second)) }
        add(Self.record(8, Self.hostileLabel, status: 429, remaining: 0,
                        errors: [ErrorEntry(code: "rate_limit_exceeded", description: "Rate limit exceeded.")]))
        add(CallRecord(time: Self.start.addingTimeInterval(9), token: Self.stranger, method: "GET", path: "/v2/webhooks/",
                       outcome: .transport(.timeout), latency: .seconds(60), rate: .unknown,
                       errors: [ErrorEntry(code: "timeout", description: "no answer in 60 s", synthesized: true)], source: .tap))
        add(Self.record(11, Self.ingest, method: "PUT", path: "/v2/sites/Abcd1234/media/abc/reupload/", status: 500,
                        errors: [ErrorEntry(code: "internal_server_error", description: "boom")]),
            // 0xF8 first: its base64 starts with `+`, a formula's first character to a spreadsheet.
            body: Data([0xF8, 0x00, 0xFF, 0xFE, 0x1B, 0x41, 0x0A, 0x27]))
        add(Self.record(12, Self.ingest, method: "POST", path: "/v2/webhooks/", status: 409,
                        errors: [ErrorEntry(code: "conflict", description: "A webhook named 'x' exists.")]),
            body: Data(String(repeating: "a", count: 100_000).utf8))
        for second in 21..<24 { add(Self.record(Double(second), Self.hostileLabel, status: 201, remaining: 30)) }
        await writer.close()
    }

    static func record(
        _ offset: TimeInterval, _ token: TokenReference, method: String = "GET", path: String = "/v2/webhooks/", status: Int,
        remaining: Int? = nil, errors: [ErrorEntry] = []
    ) -> CallRecord {
        CallRecord(
            time: start.addingTimeInterval(offset), token: token, method: method, path: path, outcome: .status(status),
            latency: .microseconds(12_345), rate: RateHeaders(limit: remaining == nil ? nil : 60, remaining: remaining, requestID: "req-\(Int(offset))"),
            errors: errors, source: .tap, job: job(for: token))
    }

    /// Each token's job; the hostile label's job is as hostile (a formula, a control, a bidi override).
    static func job(for token: TokenReference) -> String {
        token == hostileLabel ? JobName.clean("=cmd|' /C calc'!A0\u{1B}[2J\u{202E}") : "nightly-ingest.py"
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: folder) }
}

/// RFC 4180, read back by a CSV library (yaslab's CSV.swift), not by a reader the writer's
/// authors wrote: the header row first, then each record.
enum CSVRows {
    static func of(_ text: String) throws -> [[String]] {
        let reader = try CSVReader(string: text, hasHeaderRow: false)
        var rows: [[String]] = []
        while let row = reader.next() { rows.append(row) }
        if let error = reader.error { throw error }
        return rows
    }
}
