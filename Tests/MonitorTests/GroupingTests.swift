import Foundation
import ManagementAPI
import Testing
@testable import Monitor

@Suite("Error groups")
struct GroupingTests {
    let mixed: [CallRecord] = [
        Records.record(at: 0), Records.record(at: 1, status: 201), Records.record(at: 2, status: 204),
        Records.badRequest(at: 3, codes: ["too_long", "required"]), Records.badRequest(at: 4, codes: ["too_long"]),
        Records.badRequest(at: 5, codes: ["required"]), Records.error(429, at: 6), Records.error(429, at: 7),
        Records.error(401, at: 8), Records.error(500, at: 9), Records.transport(at: 10, .timeout),
        Records.transport(at: 11, .refused), Records.record(at: 12, status: 302),
    ]

    func snapshot(_ records: [CallRecord], at now: TimeInterval = 20, configuration: MonitorConfiguration = .init(),
                  filter: Filter = .empty) -> Snapshot
    {
        var core = MonitorCore(configuration: configuration)
        records.forEach { core.ingest($0) }
        return core.snapshot(now: Records.at(now), filter: filter)
    }

    @Test("class → status and code → occurrences newest first, 400s by their first field code")
    func tree() throws {
        let snapshot = snapshot(mixed)
        #expect(snapshot.classes.map(\.statusClass) == [.clientError, .serverError, .transport, .unexpected, .success])
        let client = try #require(snapshot.summary(of: .clientError))
        #expect(client.groups.map(\.key.title) == [
            "400 Bad Request · required", "400 Bad Request · too_long", "401 unauthorized", "429 rate_limit_exceeded",
        ])
        // The 400 with too_long and required counts in both groups, and once in the class.
        #expect(client.groups.map(\.count) == [2, 2, 1, 2])
        #expect(client.count == 6)
        let tooLong = client.groups[1]
        #expect(tooLong.occurrences.map { $0.record.time } == [Records.at(4), Records.at(3)])
        #expect(tooLong.occurrences.last?.fieldErrors.map(\.code) == ["too_long", "required"])
        #expect(snapshot.summary(of: .transport)?.groups.map(\.key.title) == ["transport · refused", "transport · timeout"])
        let success = try #require(snapshot.summary(of: .success))
        #expect(success.count == 3)
        #expect(success.groups.allSatisfy { $0.occurrences.isEmpty })
        #expect(snapshot.retained == 10)
    }

    @Test("counts stay exact after occurrences leave the ring")
    func exactAfterEviction() {
        let records = (0..<100).map { Records.error(429, at: Double($0)) }
        let snapshot = snapshot(records, at: 100, configuration: MonitorConfiguration(ringCapacity: 10))
        let group = snapshot.summary(of: .clientError)?.groups.first
        #expect(group?.count == 100)
        #expect(group?.occurrences.count == 10)
        #expect(snapshot.retained == 10 && snapshot.evicted == 90)
    }

    @Test("a 400 still lists under its other codes when its first code's list is full")
    func listedUnderEveryCode() {
        // The oldest call carries too_long and required; five newer ones fill too_long's list.
        let records = [Records.badRequest(at: 0, codes: ["too_long", "required"])] + (1..<6).map { Records.badRequest(at: Double($0)) }
        let groups = snapshot(records, at: 10, configuration: MonitorConfiguration(occurrencesPerGroup: 3))
            .summary(of: .clientError)?.groups ?? []
        let lists = Dictionary(uniqueKeysWithValues: groups.map { ($0.key.code, $0.occurrences.map(\.record.time)) })
        #expect(lists["too_long"] == [5, 4, 3].map(Records.at))
        #expect(lists["required"] == [Records.at(0)])
    }

    @Test("the error window drops old calls from the counts, to the 10-second bucket")
    func errorWindow() {
        let configuration = MonitorConfiguration(errorWindow: 60)
        let records = [Records.error(500, at: 0), Records.error(500, at: 55)]
        #expect(snapshot(records, at: 59, configuration: configuration).summary(of: .serverError)?.count == 2)
        #expect(snapshot(records, at: 75, configuration: configuration).summary(of: .serverError)?.count == 1)
        #expect(snapshot(records, at: 200, configuration: configuration).summary(of: .serverError) == nil)
    }

    @Test("a filter counts the retained occurrences that match")
    func filtered() throws {
        let snapshot = snapshot(mixed, filter: try Filter(parsing: "code:required"))
        #expect(snapshot.classes.map(\.statusClass) == [.clientError])
        // A 400 that also carries too_long shows under the code asked for only.
        #expect(snapshot.classes.first?.groups.map(\.key.code) == ["required"])
        #expect(snapshot.classes.first?.groups.map(\.count) == [2])
        #expect(snapshot.classes.first?.count == 2)
        #expect(snapshot.filter == "code:required")
    }

    @Test("the version counts ingested records")
    func version() {
        var core = MonitorCore()
        #expect(core.snapshot(now: Records.at(0)).version == 0)
        core.ingest(Records.record(at: 0))
        core.ingest(Records.error(500, at: 1))
        let first = core.snapshot(now: Records.at(2))
        #expect(first.version == 2)
        #expect(core.snapshot(now: Records.at(3)).version == first.version)
    }
}
