import Foundation
import Hummingbird
import HummingbirdTesting
@testable import Journal
import ManagementAPI
import MetricsExport
import Recorder
import Testing

@Suite("Recorder: /healthz")
struct HealthTests {
    @Test("200 with the journal path, the lag, the number of tokens, journal ok and v 1")
    func fields() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try JournalWriter(path: folder.journal)
        writer.append(Fixtures.record(status: 500))
        writer.append(Fixtures.record(at: 1, token: Fixtures.beta, status: 404))
        await writer.flush()
        let sources = AdminSources(writer: writer, reader: try JournalReader(path: folder.journal), lagMilliseconds: { 42 })
        let app = Application(router: AdminServer.router(sources: sources))
        try await app.test(.live) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                let body = try object(String(buffer: response.body))
                #expect(body["journal"] as? String == folder.journal)
                #expect(body["lag_ms"] as? Int == 42)
                #expect(body["tokens"] as? Int == 2)
                #expect(body["journal_status"] as? String == "ok")
                #expect(body["v"] as? Int == 1)
            }
        }
        await writer.close()
    }

    @Test("503 and 'dropping records since' while the disk is full (max_page_count), 200 again after")
    func dropping() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try JournalWriter(path: folder.journal)
        writer.append(Fixtures.record(status: 500))
        await writer.flush()
        let sources = AdminSources(writer: writer, reader: try JournalReader(path: folder.journal))
        let app = Application(router: AdminServer.router(sources: sources))

        // SQLite refuses to grow past the current page count: a real SQLITE_FULL.
        let pages = try #require(await writer.store.fetchInt("PRAGMA page_count"))
        try await writer.store.execute("PRAGMA max_page_count = \(pages)")
        for index in 0..<500 {
            writer.append(Fixtures.record(at: Double(index), status: 400), requestBody: Data(repeating: 0x41, count: 16 * 1024))
        }
        await writer.flush()
        try #require(writer.health.isDropping)
        try await app.test(.live) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let status = try object(String(buffer: response.body))["journal_status"] as? String
                #expect(status?.hasPrefix("dropping records since ") == true)
            }
        }

        try await writer.store.execute("PRAGMA max_page_count = 1073741823")
        writer.append(Fixtures.record(at: 3_600, status: 502))
        await writer.flush()
        try await app.test(.live) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                let body = try object(String(buffer: response.body))
                #expect(body["journal_status"] as? String == "ok")
            }
        }
        await writer.close()
    }

    @Test("/metrics serves the Prometheus text format, with a series for a call the recorder was fed")
    func metricsServed() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try JournalWriter(path: folder.journal)
        let metrics = RecorderMetrics(configured: [Fixtures.alpha], journalBytes: { writer.fileSize })
        metrics.observe(Fixtures.record(status: 429, limit: 60, remaining: 0))
        let sources = AdminSources(writer: writer, reader: try JournalReader(path: folder.journal), metrics: metrics)
        try await Application(router: AdminServer.router(sources: sources)).test(.live) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let text = String(buffer: response.body)
                #expect(text.contains(#"mapitop_calls_total{token="alpha",class="4xx",status="429",code="none"} 1"#), "\(text)")
                #expect(text.contains(#"mapitop_quota_remaining{token="alpha"} 0"#))
                #expect(text.contains("# TYPE mapitop_journal_bytes gauge"))
            }
        }
        await writer.close()
    }
}
