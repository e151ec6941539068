import AsyncHTTPClient
import Feed
import Foundation
import Hummingbird
import HummingbirdTesting
import Journal
import ManagementAPI
import MetricsExport
import Monitor
import Recorder
import Synchronization
import TestSupport
import Testing

/// Time travel on a journal written with fixed times and a viewer on an injected clock: each
/// replayed moment shows that moment's USED, 429s and error counts, and live data arriving
/// afterwards changes none of them.
@Suite("Viewer: attach and replay fixed moments")
struct ViewerReplayTests {
    final class FixedClock: WallClock {
        let moment: Date
        init(_ moment: Date) { self.moment = moment }
        func now() -> Date { moment }
    }

    /// alpha: a 200 (USED 10) at 5 s, a 429 at 15, a 400 at 25, a 200 (USED 30) at 65, 429s at
    /// 75 and 76, a 500 at 130.
    static func journal(_ writer: JournalWriter) async {
        let records = [
            Fixtures.record(at: 5, status: 200, limit: 60, remaining: 50),
            Fixtures.record(at: 15, status: 429, limit: 60, remaining: 0),
            Fixtures.record(at: 25, method: "POST", status: 400, limit: 60, remaining: 45,
                            errors: [ErrorEntry(code: "too_long", description: "title is too long",
                                                detail: FieldDetail(field: "title", constraint: nil, provided: nil))]),
            Fixtures.record(at: 65, status: 200, limit: 60, remaining: 30),
            Fixtures.record(at: 75, status: 429, limit: 60, remaining: 0),
            Fixtures.record(at: 76, status: 429, limit: 60, remaining: 0),
            Fixtures.record(at: 130, status: 500),
        ]
        for record in records { writer.append(record) }
        await writer.flush()
    }

    struct Figures: Equatable {
        let used: Int
        let limited: Int
        let clientErrors: Int
        let serverErrors: Int
    }

    static func figures(_ replay: Replay) -> Figures? {
        guard let alpha = replay.snapshot.tokens.first(where: { $0.reference == Fixtures.alpha }) else { return nil }
        return Figures(used: alpha.used, limited: alpha.limitedInWindow,
                       clientErrors: replay.snapshot.summary(of: .clientError)?.count ?? 0,
                       serverErrors: replay.snapshot.summary(of: .serverError)?.count ?? 0)
    }

    @Test("USED, 429s and error counts at 60 s, 90 s and 140 s; unchanged after live data; a time before the journal lands on its first record",
          arguments: [false, true])
    func replayedMoments(historyFromFile: Bool) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try JournalWriter(path: folder.journal)
        await Self.journal(writer)
        try await EventFollowerTests.server(folder, writer, port: 0).test(.live) { client in
            let base = "http://127.0.0.1:\(client.port!)"
            let source = Viewer.Source(
                name: "127.0.0.1:\(client.port!)", client: RecorderClient(base: base, httpClient: HTTPClient.shared),
                journal: historyFromFile ? try JournalReader(path: folder.journal) : nil)
            let viewer = Viewer(sources: [source], clock: FixedClock(Fixtures.start.addingTimeInterval(200)),
                                backoff: [.milliseconds(50)])
            let running = Task { await viewer.run() }
            defer { running.cancel() }
            #expect(await eventually { viewer.lines().first?.condition == .live })
            #expect(viewer.lines().first?.historySince == Fixtures.start)

            let expected: [(TimeInterval, Figures)] = [
                // The newest figure is the 400's (remaining 45).
                (60, Figures(used: 15, limited: 1, clientErrors: 2, serverErrors: 0)),
                // The 429s' (remaining 0).
                (90, Figures(used: 60, limited: 2, clientErrors: 4, serverErrors: 0)),
                // No fresh figure (the newest is 64 s old): the calls of the last minute, the 500.
                (140, Figures(used: 1, limited: 0, clientErrors: 4, serverErrors: 1)),
            ]
            var before: [Snapshot] = []
            for (offset, figures) in expected {
                let replay = viewer.replay(at: Fixtures.start.addingTimeInterval(offset), filter: .empty)
                #expect(replay.complete)
                #expect(replay.moment == Fixtures.start.addingTimeInterval(offset))
                #expect(Self.figures(replay) == figures, "at \(offset) s")
                before.append(replay.snapshot)
            }
            // Between the 429s: USED from the 200 at 65 s, whose window ended at 70 s.
            #expect(Self.figures(viewer.replay(at: Fixtures.start.addingTimeInterval(72), filter: .empty))?.used == 30)
            // A filter works in the past too.
            let filtered = viewer.replay(at: Fixtures.start.addingTimeInterval(90), filter: try Filter(parsing: "code:too_long"))
            #expect(filtered.snapshot.summary(of: .clientError)?.count == 1)

            // Live data arrives (dated after every replayed moment, as live data is): each moment
            // is built again (a different one was built last) and still shows what it showed.
            let version = viewer.monitor.version
            writer.append(Fixtures.record(at: 150, status: 429, limit: 60, remaining: 0))
            writer.append(Fixtures.record(at: 160, status: 503))
            await writer.flush()
            #expect(await eventually { viewer.monitor.version >= version + 2 })
            for ((offset, _), snapshot) in zip(expected, before) {
                #expect(viewer.replay(at: Fixtures.start.addingTimeInterval(offset), filter: .empty).snapshot == snapshot, "at \(offset) s")
            }
            // The live monitor has them.
            #expect(viewer.monitor.snapshot().summary(of: .serverError)?.count == 2)

            // Before the journal's first record: lands on it, and says so.
            let early = viewer.replay(at: Fixtures.start.addingTimeInterval(-3_600), filter: .empty)
            #expect(early.moment == Fixtures.start.addingTimeInterval(10))
            #expect(early.note?.contains("first record") == true)
            #expect(Self.figures(early)?.used == 10)
        }
        await writer.close()
    }

    @Test("a source that answers HTML is unreadable, one that does not answer unreachable, each since a time; neither stops the other")
    func badSources() async throws {
        let html = Application(router: {
            let router = Router()
            router.get("/healthz") { _, _ in Response(status: .ok, headers: [.contentType: "text/html"], body: .init(byteBuffer: .init(string: "<html>hi</html>"))) }
            return router
        }(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await html.test(.live) { client in
            let viewer = Viewer(sources: [
                Viewer.Source(name: "web", client: RecorderClient(base: "http://127.0.0.1:\(client.port!)", httpClient: HTTPClient.shared)),
                Viewer.Source(name: "gone", client: RecorderClient(base: "http://127.0.0.1:1", httpClient: HTTPClient.shared), suffix: "@gone"),
            ], clock: FixedClock(Fixtures.start), backoff: [.milliseconds(50)])
            let running = Task { await viewer.run() }
            defer { running.cancel() }
            #expect(await eventually {
                let lines = viewer.lines()
                guard case .unreadable(_, let why) = lines[0].condition, why.contains("not a mapitop recorder") else { return false }
                guard case .unreachable(let since, _) = lines[1].condition else { return false }
                return since == Fixtures.start
            })
        }
    }
}

/// The viewer's faults over days and restarts: a far jump reads one hour, not everything in
/// between, and End lets it go; a source moved to another recorder on the same journal
/// resumes with no gap and no duplicate; a source whose clock runs ahead cannot date calls in
/// this viewer's future.
@Suite("Viewer: far jumps, moves, clocks ahead")
struct ViewerFaultTests {
    static let day: TimeInterval = 86_400

    static func viewer(_ base: String, journal: JournalReader? = nil, now: Date) -> Viewer {
        Viewer(sources: [Viewer.Source(name: "here", client: RecorderClient(base: base, httpClient: HTTPClient.shared), journal: journal)],
               clock: ViewerReplayTests.FixedClock(now), backoff: [.milliseconds(50)])
    }

    @Test("a jump three days back reads that hour alone, shows its figures, and going live lets it go")
    func farJump() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try JournalWriter(path: folder.journal)
        // Day 0: two 429s. Days 1 and 2: 200 failed calls each, which a far jump must not read.
        writer.append(Fixtures.record(at: 30, status: 429, limit: 60, remaining: 0))
        writer.append(Fixtures.record(at: 31, status: 429, limit: 60, remaining: 0))
        for day in 1...2 {
            for index in 0..<200 { writer.append(Fixtures.record(at: Double(day) * Self.day + Double(index), status: 500)) }
        }
        writer.append(Fixtures.record(at: 3 * Self.day + 100, status: 503))
        await writer.flush()
        try await EventFollowerTests.server(folder, writer, port: 0).test(.live) { client in
            let viewer = Self.viewer("http://127.0.0.1:\(client.port!)", now: Fixtures.start.addingTimeInterval(3 * Self.day + 200))
            let running = Task { await viewer.run() }
            defer { running.cancel() }
            #expect(await eventually { viewer.lines().first?.condition == .live })
            let attached = viewer.heldRows
            #expect(attached == 1, "the last hour holds the one 503")

            let moment = Fixtures.start.addingTimeInterval(60)
            #expect(!viewer.replay(at: moment, filter: .empty).complete)
            var replay = viewer.replay(at: moment, filter: .empty)
            #expect(await eventually {
                replay = viewer.replay(at: moment, filter: .empty)
                return replay.complete
            })
            #expect(replay.snapshot.summary(of: .clientError)?.count == 2)
            #expect(replay.snapshot.summary(of: .serverError) == nil, "days 1 and 2 leaked into day 0")
            #expect(viewer.heldRows == attached + 2, "the jump read more than its hour: \(viewer.heldRows) rows held")
            viewer.returnedLive()
            #expect(viewer.heldRows == attached)
        }
        await writer.close()
    }

    @Test("moved to another admin server on the same journal, the live feed resumes after its last event: the calls written while none served arrive, each once")
    func move() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try JournalWriter(path: folder.journal)
        writer.append(Fixtures.record(at: 1, status: 500))
        await writer.flush()
        let now = Fixtures.start.addingTimeInterval(300)
        let attached = Shared<Viewer?>(nil)
        let running = Shared<Task<Void, Never>?>(nil)
        defer { running.current?.cancel() }
        @Sendable func serverErrors() -> Int? { attached.current?.monitor.snapshot().summary(of: .serverError)?.count }
        try await EventFollowerTests.server(folder, writer, port: 0).test(.live) { first in
            let viewer = Self.viewer("http://127.0.0.1:\(first.port!)", now: now)
            attached.update { $0 = viewer }
            running.update { $0 = Task { await viewer.run() } }
            #expect(await eventually { viewer.lines().first?.condition == .live })
            for index in 0..<5 { writer.append(Fixtures.record(at: 10 + Double(index), status: 500)) }
            await writer.flush()
            #expect(await eventually { serverErrors() == 6 })
        }
        let viewer = try #require(attached.current)
        // Its recorder is gone; calls are journaled while nobody serves the journal.
        #expect(await eventually { if case .unreachable = viewer.lines().first?.condition { true } else { false } })
        for index in 0..<3 { writer.append(Fixtures.record(at: 20 + Double(index), status: 500)) }
        await writer.flush()
        // A second admin server over the same journal: the window that took it over.
        let reader = try JournalReader(path: folder.journal)
        let second = buildAdminApplication(
            sources: AdminSources(reader: reader, health: { writer.health }, metrics: RecorderMetrics(journalBytes: { 0 })), port: 0)
        try await second.test(.live) { other in
            viewer.move(0, to: Viewer.Source(
                name: "127.0.0.1:\(other.port!)", client: RecorderClient(base: "http://127.0.0.1:\(other.port!)", httpClient: HTTPClient.shared)))
            #expect(await eventually { viewer.lines().first?.name == "127.0.0.1:\(other.port!)" && viewer.lines().first?.condition == .live })
            #expect(await eventually { serverErrors() == 9 }, "the calls written while none served were lost")
            for index in 0..<2 { writer.append(Fixtures.record(at: 30 + Double(index), status: 500)) }
            await writer.flush()
            #expect(await eventually { serverErrors() == 11 })
        }
        await writer.close()
    }

    @Test("a call dated an hour ahead (a source's clock runs fast) is held at this viewer's now, plus a few seconds")
    func clockAhead() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try JournalWriter(path: folder.journal)
        let now = Fixtures.start.addingTimeInterval(600)
        try await EventFollowerTests.server(folder, writer, port: 0).test(.live) { client in
            let viewer = Self.viewer("http://127.0.0.1:\(client.port!)", now: now)
            let running = Task { await viewer.run() }
            defer { running.cancel() }
            #expect(await eventually { viewer.lines().first?.condition == .live })
            writer.append(Fixtures.record(at: 600 + 3_600, status: 500))
            writer.append(Fixtures.record(at: 590, status: 502))
            await writer.flush()
            #expect(await eventually { viewer.monitor.snapshot().summary(of: .serverError)?.count == 2 })
            let times = viewer.monitor.snapshot().summary(of: .serverError)?.groups.flatMap(\.occurrences).map(\.record.time) ?? []
            #expect(times.count == 2 && times.allSatisfy { $0 <= now.addingTimeInterval(5) }, "\(times)")
        }
        await writer.close()
    }
}
