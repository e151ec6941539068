import Foundation
import Hummingbird
import HummingbirdTesting
import Journal
import ManagementAPI
@testable import Recorder
import Testing

@Suite("Recorder: /v1/calls")
struct CallsTests {
    /// Failures at +5 (alpha 500), +25 (beta 404 with a field error), +45 (alpha 429),
    /// and 3 successes of alpha at +21..+23, folded into the bucket starting at +20.
    static func journal(_ folder: TemporaryFolder) async throws -> JournalWriter {
        let writer = try JournalWriter(path: folder.journal)
        writer.append(Fixtures.record(at: 5, status: 500))
        writer.append(Fixtures.record(
            at: 25, token: Fixtures.beta, method: "POST", status: 404,
            errors: [ErrorEntry(code: "not_found", description: "The requested resource could not be found.")]))
        writer.append(Fixtures.record(at: 45, status: 429, limit: 60, remaining: 0))
        for offset in [21.0, 22, 23] { writer.append(Fixtures.record(at: offset, status: 200)) }
        await writer.flush()
        return writer
    }

    static func lines(_ client: some TestClientProtocol, _ query: String) async throws -> [[String: Any]] {
        try await client.execute(uri: "/v1/calls?" + query, method: .get) { response in
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/jsonl") == true)
            return try String(buffer: response.body).split(separator: "\n").map(object)
        }
    }

    @Test("the range is from <= time < to; calls and buckets come oldest first, each with v 1")
    func range() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try await Self.journal(folder)
        let sources = AdminSources(writer: writer, reader: try JournalReader(path: folder.journal))
        try await Application(router: AdminServer.router(sources: sources)).test(.live) { client in
            let inner = try await Self.lines(client, "from=\(Fixtures.iso(5))&to=\(Fixtures.iso(45))")
            #expect(inner.map { $0["type"] as? String } == ["call", "bucket", "call"])
            #expect(inner.map { $0["status"] as? Int } == [500, 200, 404])
            #expect(inner.allSatisfy { $0["v"] as? Int == 1 })
            #expect(inner[1]["count"] as? Int == 3)
            #expect((inner[2]["token"] as? [String: Any])?["label"] as? String == "beta")
            #expect((inner[2]["errors"] as? [[String: Any]])?.first?["code"] as? String == "not_found")

            let later = try await Self.lines(client, "from=\(Fixtures.iso(6))&to=\(Fixtures.iso(3_600))")
            #expect(later.map { $0["status"] as? Int } == [200, 404, 429])
            #expect(later.last?["remaining"] as? Int == 0)
        }
        await writer.close()
    }

    @Test("a range of several pages streams every row once, in (time, seq) order, calls and buckets merged across page edges")
    func pagesAcrossEdges() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try JournalWriter(path: folder.journal)
        // 2.5 pages of failed calls, many sharing one instant (a cursor on time alone would skip
        // or repeat them), and a bucket in each of 600 windows between them.
        let failures = CallsRoute.pageSize * 5 / 2
        for index in 0..<failures { writer.append(Fixtures.record(at: Double(index / 7), status: 500)) }
        for window in 0..<600 { writer.append(Fixtures.record(at: Double(window * 10) + 1, status: 200)) }
        await writer.flush()
        let sources = AdminSources(writer: writer, reader: try JournalReader(path: folder.journal))
        try await Application(router: AdminServer.router(sources: sources)).test(.live) { client in
            let lines = try await Self.lines(client, "from=\(Fixtures.iso(0))&to=\(Fixtures.iso(100_000))")
            let calls = lines.filter { $0["type"] as? String == "call" }
            let buckets = lines.filter { $0["type"] as? String == "bucket" }
            #expect(calls.count == failures)
            #expect(buckets.count == 600)
            let seqs = lines.compactMap { $0["seq"] as? Int64 ?? ($0["seq"] as? Int).map(Int64.init) }
            #expect(Set(seqs).count == lines.count, "a row came twice")
            let times = lines.compactMap { ($0["time"] ?? $0["start"]) as? String }
            #expect(times.count == lines.count)
            #expect(times == times.sorted(), "rows out of time order")
        }
        await writer.close()
    }

    @Test("filter uses the Monitor filter language: status, token, negation, method")
    func filter() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try await Self.journal(folder)
        let sources = AdminSources(writer: writer, reader: try JournalReader(path: folder.journal))
        try await Application(router: AdminServer.router(sources: sources)).test(.live) { client in
            let range = "from=\(Fixtures.iso(0))&to=\(Fixtures.iso(60))&filter="
            func statuses(_ filter: String) async throws -> [Int?] {
                let encoded = filter.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? filter
                return try await Self.lines(client, range + encoded).map { $0["status"] as? Int }
            }
            let cases: [(String, [Int?])] = [
                ("", [500, 200, 404, 429]), ("status:5xx", [500]), ("status:2xx", [200]), ("token:beta", [404]),
                ("!status:4xx", [500, 200]), ("status:500 status:429", [500, 429]), ("method:post", [404]),
                ("code:not_found", [404]), ("resource", [404]),
            ]
            for (filter, expected) in cases {
                let found = try await statuses(filter)
                #expect(found == expected, "filter '\(filter)'")
            }
        }
        await writer.close()
    }

    @Test("bad from, to or filter: 400 in the API's error shape, one line naming the field")
    func badInput() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try await Self.journal(folder)
        let sources = AdminSources(writer: writer, reader: try JournalReader(path: folder.journal))
        try await Application(router: AdminServer.router(sources: sources)).test(.live) { client in
            let cases = [
                ("from=yesterday", "'from'"),
                ("to=\(Fixtures.iso(1))", "'from' is required"),
                ("from=\(Fixtures.iso(0))&to=soon", "'to'"),
                ("from=\(Fixtures.iso(10))&to=\(Fixtures.iso(0))", "'to'"),
                ("from=\(Fixtures.iso(0))&filter=status%3A999", "'filter'"),
                ("from=\(Fixtures.iso(0))&filter=nokey%3Ax", "'filter'"),
            ]
            for (query, names) in cases {
                try await client.execute(uri: "/v1/calls?" + query, method: .get) { response in
                    #expect(response.status == .badRequest, "\(query)")
                    let text = String(buffer: response.body)
                    #expect(text.split(separator: "\n").count == 1, "\(query)")
                    let entry = (try object(text)["errors"] as? [[String: Any]])?.first
                    #expect(entry?["code"] is String, "\(query)")
                    #expect((entry?["description"] as? String)?.contains(names) == true, "\(query): \(text)")
                }
            }
        }
        await writer.close()
    }

    @Test("a real token's secret and a tap request body never reach the JSON")
    func noSecret() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let secret = "sk-live-very-secret-value-1234"
        let token = Token(label: "prod", secret: Secret(secret))
        let writer = try JournalWriter(path: folder.journal)
        writer.append(Fixtures.record(token: token.reference, status: 401), requestBody: Data("{\"password\":\"hunter2\"}".utf8))
        await writer.flush()
        let sources = AdminSources(writer: writer, reader: try JournalReader(path: folder.journal))
        try await Application(router: AdminServer.router(sources: sources)).test(.live) { client in
            try await client.execute(uri: "/v1/calls?from=\(Fixtures.iso(0))&to=\(Fixtures.iso(60))", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains(token.fingerprint.hex))
                #expect(!text.contains(secret))
                #expect(!text.contains("hunter2"))
                let line = try object(text)
                #expect(line["request_body_bytes"] as? Int == 22)
            }
        }
        await writer.close()
    }
}
