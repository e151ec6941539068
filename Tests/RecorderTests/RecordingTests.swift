import Collectors
import Foundation
@testable import Journal
import ManagementAPI
import NIOCore
import Testing
import TestSupport
@testable import Recorder

@Suite("Recorder: the recording's limits, health lines, journaled bodies and lag")
struct RecordingTests {
    @Test("--retain takes s, m, h, d, w; anything else is refused with an example")
    func ages() throws {
        #expect(try RetentionLimits.age("7d") == 7 * 86_400)
        #expect(try RetentionLimits.age("36h") == 36 * 3_600)
        #expect(try RetentionLimits.age("90m") == 5_400)
        #expect(try RetentionLimits.age("45s") == 45)
        #expect(try RetentionLimits.age("2w") == 14 * 86_400)
        for bad in ["", "7", "d", "0d", "-1d", "7x", "1.5d", "7 d", "99999999999d"] {
            #expect(throws: RetentionLimits.ParseError.self, "\(bad)") { try RetentionLimits.age(bad) }
        }
        #expect(throws: RetentionLimits.ParseError.self) { try RetentionLimits.age("7x") }
    }

    @Test("--max-size takes decimal and binary units, a bare number is bytes")
    func sizes() throws {
        #expect(try RetentionLimits.size("1GiB") == 1 << 30)
        #expect(try RetentionLimits.size("500MiB") == 500 << 20)
        #expect(try RetentionLimits.size("10MB") == 10_000_000)
        #expect(try RetentionLimits.size("64kb") == 64_000)
        #expect(try RetentionLimits.size("4096") == 4_096)
        #expect(try RetentionLimits.size("2 TiB") == 2 << 40)
        for bad in ["", "GiB", "0MiB", "-1GiB", "1.5GiB", "1GB2", "10XB", "99999999999TiB"] {
            #expect(throws: RetentionLimits.ParseError.self, "\(bad)") { try RetentionLimits.size(bad) }
        }
    }

    @Test("the health watch says once when the journal starts dropping and why, once when it writes again, once when it was recreated")
    func healthLines() {
        var lines: [String] = []
        func check(_ health: JournalHealth, after seen: JournalHealthWatcher.Seen) -> JournalHealthWatcher.Seen {
            JournalHealthWatcher.check(health, path: "/j.sqlite", after: seen) { lines.append($0) }
        }
        var health = JournalHealth()
        var seen = check(health, after: .init())
        #expect(lines.isEmpty)

        health.droppingSince = Date()
        health.reason = "database or disk is full"
        health.droppedRecords = 3
        seen = check(health, after: seen)
        seen = check(health, after: seen)
        #expect(lines == ["the journal /j.sqlite is dropping records: database or disk is full; the tap keeps forwarding"])

        health.droppingSince = nil
        health.reason = nil
        seen = check(health, after: seen)
        seen = check(health, after: seen)
        #expect(lines.count == 2 && lines[1] == "the journal /j.sqlite is writing again (3 records dropped in all)")

        // A full queue drops records while writes succeed: dropping while the count grows.
        health.droppedAtQueue = 5
        health.droppedRecords = 8
        seen = check(health, after: seen)
        seen = check(health, after: seen)
        #expect(lines.count == 4, "\(lines)")
        #expect(lines.count == 4 && lines[2].contains("the write queue is full") && lines[3].contains("writing again (8 records"))

        health.recreatedAt = Date()
        seen = check(health, after: seen)
        seen = check(health, after: seen)
        #expect(lines.count == 5 && lines[4] == "the journal /j.sqlite was deleted while open; recording into a new file there")

        // A batch failed and the next one succeeded between two looks: the flag is already
        // clear, but records were lost, and that is said too.
        health.reason = "disk I/O error"
        health.droppedRecords = 20
        seen = check(health, after: seen)
        _ = check(health, after: seen)
        #expect(lines.count == 7, "\(lines)")
        #expect(lines.count == 7 && lines[5].contains("dropping records: disk I/O error") && lines[6].contains("writing again (20 records"))
    }

    static func record(status: Int, answeredSecondsAgo: TimeInterval = 0) -> CallRecord {
        CallRecord(time: Date(timeIntervalSinceNow: -answeredSecondsAgo - 0.5), token: TokenReference(fingerprint: Fingerprint(hex: "ab"), label: nil),
                   method: "POST", path: "/v2/x", outcome: .status(status), latency: .milliseconds(500), rate: .unknown,
                   errors: [], source: .tap)
    }

    @Test("the health watch wakes on a change of the journal's health, not on a timer: a full disk is said while its interval is an hour")
    func healthWatchWakesOnChange() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try JournalWriter(path: folder.journal)
        writer.append(Fixtures.record(status: 500))
        await writer.flush()
        let lines = Shared<[String]>([])
        let looks = Shared(0)
        // Each look asks for the tap's drops: the test knows when the first look is done.
        let watch = JournalHealthWatcher(journal: writer, interval: .seconds(3_600), tapDropped: { looks.update { $0 += 1 }; return 0 }) { line in
            lines.update { $0.append(line) }
        }
        let running = Task { try await watch.run() }
        #expect(await eventually { looks.current >= 1 })
        // The watch has looked once (nothing to say) and waits for its hour: a full disk now.
        let pages = try #require(await writer.store.fetchInt("PRAGMA page_count"))
        try await writer.store.execute("PRAGMA max_page_count = \(pages)")
        let body = Data(repeating: 0x41, count: 64 * 1024)
        for index in 0..<50 { writer.append(Fixtures.record(at: Double(index), status: 400), requestBody: body) }
        await writer.flush()
        #expect(writer.health.isDropping)
        #expect(await eventually { lines.current.contains { $0.contains("dropping") } }, "\(lines.current)")
        running.cancel()
        try? await running.value
        try await writer.store.execute("PRAGMA max_page_count = 1073741823")
        await writer.close()
    }

    @Test("the journal gets a failed call's body, cut one byte past its cap so the cut shows; never a success's, never an empty one")
    func journaledBodies() {
        let failed = TappedCall(record: Self.record(status: 400), requestBody: ByteBuffer(string: "{\"a\":1}"))
        #expect(Recording.journaledBody(failed) == Data("{\"a\":1}".utf8))
        let huge = TappedCall(record: Self.record(status: 422), requestBody: ByteBuffer(repeating: 0x41, count: 1 << 20))
        #expect(Recording.journaledBody(huge)?.count == RequestBody.cap + 1)
        #expect(Recording.journaledBody(TappedCall(record: Self.record(status: 201), requestBody: ByteBuffer(string: "{}"))) == nil)
        #expect(Recording.journaledBody(TappedCall(record: Self.record(status: 500), requestBody: ByteBuffer())) == nil)
        #expect(Recording.journaledBody(TappedCall(record: Self.record(status: 413), requestBody: nil)) == nil)
    }

    @Test("lag is the age of the oldest record still queued, 0 once it is written")
    func lag() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        var options = JournalWriter.Options()
        options.batchInterval = .seconds(3_600)
        let writer = try JournalWriter(path: folder.journal, options: options)
        #expect(Recording.lagMilliseconds(writer) == 0)
        writer.append(Self.record(status: 400, answeredSecondsAgo: 2))
        let lag = Recording.lagMilliseconds(writer)
        #expect((1_900...10_000).contains(lag), "\(lag)")
        await writer.flush()
        #expect(Recording.lagMilliseconds(writer) == 0)
        await writer.close()
    }
}
