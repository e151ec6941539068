import Export
import Foundation
import Journal
import ManagementAPI
import Monitor
import Testing
import Wire

/// What `export` writes, parsed back: every format gives back the same calls, hostile text
/// cannot break a document, bodies survive (cut and marked, or base64), and an empty range is
/// still a valid document.
@Suite("Export: round trips through JSON Lines, CSV and HAR")
struct ExportRoundTripTests {
    static let apiBase = "https://api.jwplayer.com"

    static func export(_ journal: ExportJournal, _ format: ExportFormat, filter: String = "",
                       from: Date = .distantPast, to: Date = .distantFuture) async throws -> String {
        let reader = try JournalReader(path: journal.path)
        defer { try? reader.close() }
        var text = ""
        let exporter = Exporter(from: from, to: to, filter: try Filter(parsing: filter), format: format, apiBase: apiBase)
        try await exporter.run(reader: reader) { text += $0 }
        return text
    }

    /// Seconds to the millisecond, as every format writes times.
    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000).rounded()) }

    @Test("JSON Lines: one line per call or bucket, read back to the same calls, errors, figures and bodies")
    func jsonLines() async throws {
        let journal = try await ExportJournal()
        defer { journal.cleanUp() }
        let text = try await Self.export(journal, .jsonl)
        let events = try text.split(separator: "\n").map { try WireDecoding.event($0) }
        let calls = events.compactMap { if case .call(let call) = $0 { call } else { nil } }
        let buckets = events.compactMap { if case .bucket(let bucket) = $0 { bucket } else { nil } }
        #expect(calls.count == journal.failed.count)
        #expect(buckets.reduce(0) { $0 + $1.count } == journal.successes)
        for (call, original) in zip(calls, journal.failed) {
            #expect(Self.millis(call.record.time) == Self.millis(original.record.time))
            #expect(call.record.token == original.record.token)
            #expect(call.record.method == original.record.method)
            #expect(call.record.path == original.record.path)
            #expect(call.record.outcome == original.record.outcome)
            #expect(call.record.latency == original.record.latency)
            #expect(call.record.rate == original.record.rate)
            #expect(call.record.errors == original.record.errors, "errors changed on the way")
            #expect(call.record.job == original.record.job && call.record.route == original.record.route)
            #expect(call.requestBody?.bytes == original.body.map { Data($0.prefix(RequestBody.cap)) })
            #expect(call.requestBody?.cut == original.body.map { $0.count > RequestBody.cap })
        }
        #expect(calls.map(\.query) == [ExportJournal.query] + Array(repeating: nil, count: calls.count - 1))
        #expect(Set(buckets.flatMap(\.parts).map(\.job)) == [ExportJournal.job(for: ExportJournal.ingest), ExportJournal.job(for: ExportJournal.hostileLabel)])
        #expect(Set(buckets.flatMap(\.parts).map(\.route)) == ["/v2/webhooks/"])
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E || $0.value == 0x07 },
                "a raw control or bidi character in JSON Lines")
    }

    @Test("CSV: a header and one row per call or bucket; quotes, commas, line breaks and escapes stay inside their cells")
    func csv() async throws {
        let journal = try await ExportJournal()
        defer { journal.cleanUp() }
        let text = try await Self.export(journal, .csv)
        #expect(!text.contains("\u{1B}") && !text.contains("\u{202E}") && !text.contains("\u{07}"), "a control or bidi character reached the CSV")
        let rows = try CSVRows.of(text)
        let header = try #require(rows.first)
        #expect(rows.dropFirst().allSatisfy { $0.count == header.count }, "a row with another number of cells: a cell broke out")
        func column(_ name: String) throws -> Int { try #require(header.firstIndex(of: name), "no column \(name)") }
        let type = try column("type"), status = try column("status"), transport = try column("transport"), path = try column("path")
        let errors = try column("errors_json"), body = try column("request_body"), encoding = try column("request_body_encoding")
        let cut = try column("request_body_cut"), token = try column("token"), authorization = try column("authorization")
        let query = try column("query"), job = try column("job"), route = try column("route")
        let count = try column("count"), time = try column("time"), description = try column("description")
        let calls = rows.dropFirst().filter { $0[type] == "call" }
        let buckets = rows.dropFirst().filter { $0[type] == "bucket" }
        #expect(calls.count == journal.failed.count)
        #expect(buckets.reduce(0) { $0 + (Int($1[count]) ?? 0) } == journal.successes)
        for (row, original) in zip(calls, journal.failed) {
            let record = original.record
            #expect(row[time] == record.time.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
            #expect(row[path] == record.path)
            switch record.outcome {
            case .status(let code): #expect(row[status] == String(code))
            case .transport(let failure): #expect(row[transport] == failure.rawValue)
            }
            let decoded = try JSONSerialization.jsonObject(with: Data(row[errors].utf8)) as? [[String: String]]
            #expect(decoded?.map { $0["code"] } == record.errors.map(\.code))
            #expect(decoded?.map { $0["description"] } == record.errors.map(\.description), "errors_json is not exact")
            #expect(decoded?.map { $0["provided"] } == record.errors.map { $0.detail?.provided })
            if let original = original.body {
                let bytes = row[encoding] == "base64" ? Data(base64Encoded: row[body]) : Data(row[body].utf8)
                #expect(bytes == Data(original.prefix(RequestBody.cap)))
                #expect(row[cut] == (original.count > RequestBody.cap ? "true" : "false"))
            } else {
                #expect(row[body].isEmpty)
            }
            #expect(row[authorization].hasPrefix("Bearer $JWP_SECRET_"))
            #expect(row[route] == record.route)
        }
        #expect(calls.contains { $0[job] == "nightly-ingest.py" })
        // The hostile job's formula is defused like every other cell.
        #expect(calls.contains { $0[job].hasPrefix("'=cmd") })
        #expect(buckets.allSatisfy { $0[route] == "/v2/webhooks/" && !$0[job].isEmpty })
        // The hostile description is escaped, not dropped; the formula-like label is defused.
        #expect(calls.first?[description].contains(#"\u{1B}]0;pwned\u{7}"#) == true, "\(calls.first?[description] ?? "")")
        #expect(calls.map { $0[query] } == [ExportJournal.query] + Array(repeating: "", count: calls.count - 1))
        #expect(calls.contains { $0[token] == "'=cms, \"sync\"" })
        #expect(calls.contains { $0[authorization] == "Bearer $JWP_SECRET__CMS___SYNC_" })
    }

    @Test("HAR 1.2: every required field of the spec, failed calls as entries, bodies and errors read back, successes counted in log.comment")
    func har() async throws {
        let journal = try await ExportJournal()
        defer { journal.cleanUp() }
        let text = try await Self.export(journal, .har)
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E || $0.value == 0x07 },
                "a raw control or bidi character in the HAR")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let log = try #require(document["log"] as? [String: Any])
        #expect(log["version"] as? String == "1.2")
        #expect((log["creator"] as? [String: Any])?["name"] as? String == "mapitop")
        #expect((log["comment"] as? String)?.contains("\(journal.successes) successful calls") == true)
        let entries = try #require(log["entries"] as? [[String: Any]])
        #expect(entries.count == journal.failed.count)
        let pairs = ((entries.first?["request"] as? [String: Any])?["queryString"] as? [[String: String]]) ?? []
        #expect(pairs == [["name": "dry_run", "value": "1"], ["name": "title", "value": "a b c"], ["name": "empty", "value": ""]])
        for (index, (entry, original)) in zip(entries, journal.failed).enumerated() {
            try HARSpec.checkEntry(entry)
            let request = try #require(entry["request"] as? [String: Any])
            let response = try #require(entry["response"] as? [String: Any])
            let record = original.record
            #expect(entry["_job"] as? String == record.job && entry["_route"] as? String == record.route)
            #expect(request["method"] as? String == record.method)
            let query = index == 0 ? "?" + ExportJournal.query : ""
            #expect(request["url"] as? String == Self.apiBase + record.path + query)
            let headers = (request["headers"] as? [[String: String]]) ?? []
            #expect(headers.contains { $0["name"] == "Authorization" && $0["value"]?.hasPrefix("Bearer $JWP_SECRET_") == true })
            switch record.outcome {
            case .status(let code): #expect(response["status"] as? Int == code)
            case .transport: #expect(response["status"] as? Int == 0)
            }
            if let original = original.body {
                let postData = try #require(request["postData"] as? [String: Any])
                let text = try #require(postData["text"] as? String)
                let isBase64 = (postData["comment"] as? String)?.contains("base64") == true
                #expect((isBase64 ? Data(base64Encoded: text) : Data(text.utf8)) == Data(original.prefix(RequestBody.cap)))
                #expect(((postData["comment"] as? String)?.contains("cut at") == true) == (original.count > RequestBody.cap))
            }
            if case .status = record.outcome {
                let content = try #require(response["content"] as? [String: Any])
                let body = try #require(content["text"] as? String)
                let errors = try #require((try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["errors"] as? [[String: String]])
                #expect(errors.map { $0["code"] } == record.errors.map(\.code))
                #expect(errors.map { $0["description"] } == record.errors.map(\.description))
            }
        }
    }

    @Test("a range with nothing in it is a valid, empty document in every format")
    func emptyRange() async throws {
        let journal = try await ExportJournal()
        defer { journal.cleanUp() }
        let nothing = (from: Date(timeIntervalSinceReferenceDate: 0), to: Date(timeIntervalSinceReferenceDate: 1))
        #expect(try await Self.export(journal, .jsonl, from: nothing.from, to: nothing.to).isEmpty)
        let csv = try CSVRows.of(try await Self.export(journal, .csv, from: nothing.from, to: nothing.to))
        #expect(csv.count == 1, "CSV is its header alone")
        let har = try await Self.export(journal, .har, from: nothing.from, to: nothing.to)
        let log = (try JSONSerialization.jsonObject(with: Data(har.utf8)) as? [String: Any])?["log"] as? [String: Any]
        #expect((log?["entries"] as? [Any])?.isEmpty == true)
    }

    @Test("the filter is the dashboard's: status:4xx keeps the 400, 409 and 429 and no bucket; !token:ingest drops ingest")
    func filtered() async throws {
        let journal = try await ExportJournal()
        defer { journal.cleanUp() }
        let statuses = try await Self.export(journal, .jsonl, filter: "status:4xx").split(separator: "\n")
            .map { try WireDecoding.event($0) }
            .map { event -> Int? in if case .call(let call) = event { call.record.outcome.status } else { nil } }
        #expect(statuses == [400, 429, 409])
        let tokens = try await Self.export(journal, .jsonl, filter: "!token:ingest").split(separator: "\n").map { try WireDecoding.event($0) }
        #expect(!tokens.isEmpty)
        #expect(tokens.allSatisfy { event in
            switch event {
            case .call(let call): call.record.token.label != "ingest"
            case .bucket(let bucket): bucket.token.label != "ingest"
            default: false
            }
        })
    }
}

/// The required members of a HAR 1.2 entry (W3C HAR spec, "entries"), with their JSON types.
enum HARSpec {
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    static func require(_ object: [String: Any], _ keys: [String: @Sendable (Any) -> Bool], in name: String) throws {
        for (key, check) in keys {
            guard let value = object[key] else { throw Missing(description: "\(name).\(key) is missing") }
            guard check(value) else { throw Missing(description: "\(name).\(key) has the wrong type: \(value)") }
        }
    }

    static let string: @Sendable (Any) -> Bool = { $0 is String }
    static let number: @Sendable (Any) -> Bool = { $0 is NSNumber }
    static let array: @Sendable (Any) -> Bool = { $0 is [Any] }
    static let object: @Sendable (Any) -> Bool = { $0 is [String: Any] }

    static func checkEntry(_ entry: [String: Any]) throws {
        try require(entry, ["startedDateTime": string, "time": number, "request": object, "response": object, "cache": object,
                            "timings": object], in: "entry")
        let started = entry["startedDateTime"] as? String ?? ""
        guard (try? Date(started, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))) != nil else {
            throw Missing(description: "startedDateTime is not ISO 8601: \(started)")
        }
        try require(entry["request"] as? [String: Any] ?? [:], [
            "method": string, "url": string, "httpVersion": string, "cookies": array, "headers": array, "queryString": array,
            "headersSize": number, "bodySize": number,
        ], in: "request")
        let response = entry["response"] as? [String: Any] ?? [:]
        try require(response, [
            "status": number, "statusText": string, "httpVersion": string, "cookies": array, "headers": array, "content": object,
            "redirectURL": string, "headersSize": number, "bodySize": number,
        ], in: "response")
        try require(response["content"] as? [String: Any] ?? [:], ["size": number, "mimeType": string], in: "content")
        try require(entry["timings"] as? [String: Any] ?? [:], ["send": number, "wait": number, "receive": number], in: "timings")
        if let postData = (entry["request"] as? [String: Any])?["postData"] {
            try require(postData as? [String: Any] ?? [:], ["mimeType": string, "text": string], in: "postData")
        }
    }
}
