import Foundation
import ManagementAPI
import Testing
@testable import Monitor

/// What a caller (or an upstream) that sends endless variety can make the monitor keep.
@Suite("Memory under a hostile caller")
struct HostileCallerTests {
    func stranger(_ index: Int) -> TokenReference {
        TokenReference(fingerprint: Secret("stranger-\(index)").fingerprint, label: nil)
    }

    @Test("unknown tokens past the cap count together in one \"other\" row; named ones keep theirs")
    func unknownTokensFold() throws {
        var core = MonitorCore(configuration: MonitorConfiguration(maxUnknownTokens: 3))
        core.register(Records.ingest)
        for index in 0..<10 {
            core.ingest(Records.record(stranger(index), at: Double(index), status: 200, remaining: 50))
            core.ingest(Records.error(index.isMultiple(of: 2) ? 429 : 500, stranger(index), at: Double(index) + 0.5))
        }
        // A stranger that got a row of its own keeps it, past the cap too.
        core.ingest(Records.record(stranger(1), at: 11))
        core.ingest(Records.record(Records.ingest, at: 12))
        let rows = core.snapshot(now: Records.at(20)).tokens
        #expect(rows.map(\.reference.displayName) == [
            "ingest", stranger(0).displayName, stranger(1).displayName, stranger(2).displayName, "other",
        ])
        let other = try #require(rows.last)
        #expect(other.aggregate)
        #expect(!rows.dropLast().contains { $0.aggregate })
        // Strangers 3…9: two calls each, 429s for 4, 6 and 8, the other errors 500s.
        #expect(other.callsInWindow == 14)
        #expect(other.totalCalls == 14)
        #expect(other.limitedInWindow == 3)
        #expect(other.errorsInWindow == 7)
        #expect(other.state == .limited)
        // Many tokens' server figures are not one token's: USED is what was seen.
        #expect(other.usageSource == .seen)
        #expect(rows[2].callsInWindow == 3)
        // The error tree still counts every call, whichever row it went to.
        #expect(core.snapshot(now: Records.at(20)).summary(of: .clientError)?.count == 5)
        #expect(core.snapshot(now: Records.at(20), filter: try Filter(parsing: "token:other")).summary(of: .clientError)?.count == 3)
    }

    @Test("a flood of distinct tokens leaves 100 rows and an \"other\" row holding the rest (the default cap)")
    func defaultTokenCap() {
        var core = MonitorCore()
        for index in 0..<1_000 { core.ingest(Records.record(stranger(index), at: Double(index) / 100)) }
        let rows = core.snapshot(now: Records.at(15)).tokens
        #expect(rows.count == 101)
        #expect(rows.last?.reference.displayName == "other")
        #expect(rows.last?.totalCalls == 900)
        #expect(rows.reduce(0) { $0 + $1.totalCalls } == 1_000)
    }

    @Test("codes past the group cap count in an \"other\" group of their status, each call once")
    func groupsFold() throws {
        var core = MonitorCore(configuration: MonitorConfiguration(maxGroups: 4))
        for index in 0..<200 {
            core.ingest(Records.record(at: Double(index) / 10, status: 409,
                                       errors: [ErrorEntry(code: "conflict_\(index)", description: "no")]))
        }
        // A 400 whose codes all fold counts once in "400 · other", not once per code.
        core.ingest(Records.badRequest(at: 21, codes: ["weird_a", "weird_b", "weird_c"]))
        let client = try #require(core.snapshot(now: Records.at(30)).summary(of: .clientError))
        #expect(client.groups.count == 6)
        let other409 = try #require(client.groups.first { $0.key == GroupKey(statusClass: .clientError, status: 409, code: "other") })
        #expect(other409.count == 196)
        #expect(other409.key.title == "409 other")
        let other400 = try #require(client.groups.first { $0.key.status == 400 })
        #expect(other400.key.code == "other")
        #expect(other400.count == 1)
        #expect(client.count == 201)
        // A code filter still finds a folded call by its own code.
        let filtered = core.snapshot(now: Records.at(30), filter: try Filter(parsing: "code:conflict_150"))
        #expect(filtered.summary(of: .clientError)?.count == 1)
    }

    @Test("codes, descriptions, paths and field details are cut to their caps, and the cut is marked")
    func textIsCapped() throws {
        let huge = String(repeating: "é", count: 5_000)
        let errors = (0..<120).map { index in
            ErrorEntry(code: "too_long" + String(repeating: "x", count: 10_000), description: "\(index) " + huge,
                       detail: FieldDetail(field: huge, constraint: "255", provided: huge))
        }
        let record = CallRecord(time: Records.at(0), token: Records.ingest, method: "POST",
                                path: "/v2/" + String(repeating: "a/", count: 100_000), outcome: .status(400), latency: .milliseconds(1),
                                rate: RateHeaders(limit: 60, remaining: 3, requestID: String(repeating: "r", count: 100_000)),
                                errors: errors, source: .tap)
        var core = MonitorCore()
        core.ingest(record)
        let group = try #require(core.snapshot(now: Records.at(1)).summary(of: .clientError)?.groups.first)
        let kept = try #require(group.occurrences.first).record
        let limits = TextLimits()
        #expect(group.key.code.utf8.count <= limits.code)
        #expect(group.key.code.hasPrefix("too_long") && group.key.code.hasSuffix(TextLimits.cutMark))
        #expect(kept.path.utf8.count <= limits.path && kept.path.hasSuffix(TextLimits.cutMark))
        #expect((kept.rate.requestID?.utf8.count ?? 0) <= limits.requestID)
        #expect(kept.errors.count == limits.errors)
        for entry in kept.errors.dropLast() {
            #expect(entry.description.utf8.count <= limits.description && entry.description.hasSuffix(TextLimits.cutMark))
            #expect((entry.detail?.field.utf8.count ?? 0) <= limits.fieldDetail)
            #expect((entry.detail?.provided.map(\.utf8.count) ?? 0) <= limits.fieldDetail)
        }
        #expect(kept.errors.last?.description == "\(TextLimits.cutMark) 71 more errors not kept")
        // Still valid text, cut between scalars, not inside one.
        #expect(kept.errors[0].description.hasPrefix("0 éé"))
        #expect(!kept.errors[0].description.contains("\u{FFFD}"))
        #expect(TextLimits.cut("aééé", to: 5) == "a…")
        #expect(TextLimits.cut("aéééé", to: 7) == "aé…")
        // One group for the one (cut) code: the marker entry adds none.
        #expect(core.snapshot(now: Records.at(1)).summary(of: .clientError)?.groups.count == 1)
    }

    @Test("text within the caps is kept exactly")
    func shortTextKept() throws {
        var core = MonitorCore()
        let record = Records.badRequest(at: 0, codes: ["too_long", "required"])
        core.ingest(record)
        let kept = try #require(core.snapshot(now: Records.at(1)).summary(of: .clientError)?.groups.first?.occurrences.first)
        #expect(kept.record == record)
    }

    @Test("the ring is bounded by bytes as well as by count; counts stay exact")
    func ringByteBudget() throws {
        let budget = 100_000
        var core = MonitorCore(configuration: MonitorConfiguration(ringCapacity: 10_000, ringByteBudget: budget))
        let description = String(repeating: "d", count: 1_000)
        for index in 0..<500 {
            core.ingest(Records.record(at: Double(index) / 10, status: 409, errors: [ErrorEntry(code: "conflict", description: description)]))
        }
        let snapshot = core.snapshot(now: Records.at(60))
        let group = try #require(snapshot.summary(of: .clientError)?.groups.first)
        #expect(group.count == 500)
        let each = try #require(group.occurrences.first).estimatedBytes
        #expect(each > 1_000)
        #expect(snapshot.retained == budget / each)
        #expect(snapshot.evicted == 500 - snapshot.retained)
        // The newest are the ones kept.
        #expect(group.occurrences.first?.record.time == Records.at(49.9))
    }

    @Test("the ring evicts by bytes oldest first, frees what it evicts, and scans newest first")
    func ringOrder() {
        var ring = OccurrenceRing(capacity: 8, byteBudget: 4_000)
        var evicted = 0
        for id in 1...20 {
            let length = id.isMultiple(of: 3) ? 1_500 : 10
            let record = Records.record(at: Double(id), status: 500,
                                        errors: [ErrorEntry(code: "x", description: String(repeating: "y", count: length))])
            evicted += ring.append(Occurrence(id: UInt64(id), record: record))
            #expect(ring.bytes <= 4_000)
            #expect(ring.count <= 8)
        }
        var ids: [UInt64] = []
        ring.scanNewestFirst { _, position in
            ids.append(ring[position].id)
            return true
        }
        #expect(ids == Array((UInt64(21 - ids.count)...20).reversed()))
        #expect(evicted + ring.count == 20)
    }
}
