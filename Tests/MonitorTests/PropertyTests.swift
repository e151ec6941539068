import Foundation
import ManagementAPI
import PropertyBased
import Testing
@testable import Monitor

@Suite("Monitor invariants")
struct PropertyTests {
    static let tokens = [Records.ingest, Records.cms, Records.stranger]

    /// A record from a few small numbers: which token, which outcome, when.
    static func record(token: Int, outcome: Int, second: Int) -> CallRecord {
        let reference = tokens[token % tokens.count]
        let offset = Double(second)
        switch outcome % 9 {
        case 0: return Records.record(reference, at: offset, remaining: 30)
        case 1: return Records.badRequest(reference, at: offset, codes: ["too_long", "required"])
        case 2: return Records.badRequest(reference, at: offset, codes: ["required"], method: "PATCH")
        case 3: return Records.error(429, reference, at: offset)
        case 4: return Records.error(404, reference, at: offset)
        case 5: return Records.error(502, reference, at: offset)
        case 6: return Records.transport(reference, at: offset, .timeout)
        case 7: return Records.record(reference, at: offset, status: 401, source: .probe)
        default: return Records.record(reference, at: offset, status: 204, remaining: 5)
        }
    }

    static let records = zip(Gen.int(in: 0...2), Gen.int(in: 0...8), Gen.int(in: 0...600))
        .map { record(token: $0, outcome: $1, second: $2) }
        .array(of: 0...300)

    static let terms = Gen.element(of: [
        "token:ingest", "token:#" + String(Records.stranger.fingerprint.hex.prefix(4)), "code:required", "code:too_long", "status:4xx", "status:429", "status:transport",
        "field:metadata", "method:post", "path:/media", "status", "timeout", "token:cms",
    ]).map { $0 ?? "" }

    @Test("group counts equal the calls of each group; classes count distinct calls; the ring keeps its bound")
    func countsAndBound() async {
        await propertyCheck(input: Self.records, Gen.int(in: 1...64)) { records, capacity in
            var core = MonitorCore(configuration: MonitorConfiguration(ringCapacity: capacity, errorWindow: 86_400))
            records.forEach { core.ingest($0) }
            let snapshot = core.snapshot(now: Records.at(601))
            var expected: [GroupKey: Int] = [:]
            var perClass: [StatusClass: Int] = [:]
            for record in records {
                for key in GroupKey.keys(for: record) { expected[key, default: 0] += 1 }
                perClass[record.statusClass, default: 0] += 1
            }
            let groups = snapshot.classes.flatMap(\.groups)
            #expect(Dictionary(uniqueKeysWithValues: groups.map { ($0.key, $0.count) }) == expected)
            for summary in snapshot.classes {
                #expect(summary.count == perClass[summary.statusClass])
                #expect(summary.groups.allSatisfy { $0.count <= summary.count })
                #expect(summary.count <= summary.groups.map(\.count).reduce(0, +))
            }
            let errors = records.count { GroupKey($0).statusClass != .success }
            #expect(snapshot.retained <= capacity)
            #expect(snapshot.retained == min(capacity, errors))
            #expect(snapshot.retained + snapshot.evicted == errors)
        }
    }

    @Test("!term selects exactly the complement of term")
    func negation() async {
        await propertyCheck(input: Self.records, Self.terms) { records, term in
            var core = MonitorCore(configuration: MonitorConfiguration(errorWindow: 86_400, occurrencesPerGroup: .max))
            records.forEach { core.ingest($0) }
            func ids(_ text: String) -> Set<UInt64> {
                let filter = (try? Filter(parsing: text)) ?? .empty
                return Set(core.snapshot(now: Records.at(601), filter: filter).classes.flatMap(\.groups).flatMap(\.occurrences).map(\.id))
            }
            let all = Set(core.snapshot(now: Records.at(601)).classes.flatMap(\.groups).flatMap(\.occurrences).map(\.id))
            let selected = ids(term)
            let complement = ids("!" + term)
            #expect(selected.isDisjoint(with: complement))
            #expect(selected.union(complement) == all)
            let tokens = Self.tokens
            let filter = (try? Filter(parsing: term)) ?? .empty
            let negated = (try? Filter(parsing: "!" + term)) ?? .empty
            if term.hasPrefix("token:") {
                for token in tokens { #expect(filter.matches(token: token) != negated.matches(token: token)) }
            }
        }
    }

    @Test("the snapshot's prepared filter selects what the plain matcher selects")
    func preparedAgreesWithPlain() async {
        await propertyCheck(input: Self.records, Self.terms, Self.terms) { records, first, second in
            var core = MonitorCore(configuration: MonitorConfiguration(errorWindow: 86_400, occurrencesPerGroup: .max))
            records.forEach { core.ingest($0) }
            let all = core.snapshot(now: Records.at(601)).classes.flatMap(\.groups).flatMap(\.occurrences)
            for text in [first, "!" + first, first + " " + second, first + " !" + second] {
                guard let filter = try? Filter(parsing: text) else { continue }
                let prepared = Set(core.snapshot(now: Records.at(601), filter: filter).classes.flatMap(\.groups).flatMap(\.occurrences).map(\.id))
                #expect(prepared == Set(all.filter { filter.matches($0) }.map(\.id)), "\(text)")
            }
        }
    }

    @Test("counts never go negative, at any time")
    func neverNegative() async {
        await propertyCheck(input: Self.records, Gen.int(in: -100...5_000)) { records, now in
            var core = MonitorCore(configuration: MonitorConfiguration(ringCapacity: 16))
            records.forEach { core.ingest($0) }
            let snapshot = core.snapshot(now: Records.at(Double(now)))
            for row in snapshot.tokens {
                #expect(row.used >= 0 && row.callsInWindow >= 0 && row.limitedInWindow >= 0 && row.errorsInWindow >= 0)
                #expect((row.ageSeconds ?? 0) >= 0)
                #expect(row.sparkline.allSatisfy { $0 >= 0 })
                #expect((row.forecastSeconds ?? 0) >= 0)
            }
            #expect(snapshot.classes.flatMap(\.groups).allSatisfy { $0.count > 0 })
        }
    }
}
