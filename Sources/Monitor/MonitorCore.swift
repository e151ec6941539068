import Foundation
import ManagementAPI

/// The whole model as a plain value: records in, snapshots out. `Monitor` wraps it in a lock.
public struct MonitorCore: Sendable {
    public let configuration: MonitorConfiguration
    private var tokens: [Fingerprint: TokenStats] = [:]
    /// Tokens in order of first sight; an occurrence keeps its token's index here.
    private var tokenOrder: [Fingerprint] = []
    private var tokenSlots: [Fingerprint: Int] = [:]
    private var ring: OccurrenceRing
    /// Groups by slot: occurrences carry their slot, so snapshots never hash a key.
    private var groupKeys: [GroupKey] = []
    private var groupCounters: [GroupCounter] = []
    private var groupSlots: [GroupKey: Int] = [:]
    private var sharedExtraSlots: [[Int]: [Int]] = [:]
    /// Tokens seen that the configuration does not name, up to the cap; the rest are "other".
    private var unknownTokens = 0
    /// Distinct calls per class, exact like the group counters.
    private var classCounters: [StatusClass: GroupCounter] = [:]
    private var newest: TimeInterval = -.infinity
    /// Calls per job and per route (DESIGN.md section 12).
    private var usage: UsageTable
    private(set) var ingested: UInt64 = 0
    private var nextOccurrenceID: UInt64 = 0
    private var evicted = 0

    public init(configuration: MonitorConfiguration = MonitorConfiguration()) {
        self.configuration = configuration
        ring = OccurrenceRing(capacity: configuration.ringCapacity, byteBudget: configuration.ringByteBudget)
        usage = UsageTable(configuration)
    }

    /// Tokens named in the configuration show from the start, idle until something is seen.
    public mutating func register(_ reference: TokenReference) {
        if tokens[reference.fingerprint] != nil {
            tokens[reference.fingerprint]!.configured = true
            if reference.label != nil { tokens[reference.fingerprint]!.reference = reference }
        } else {
            addToken(TokenStats(reference: reference, configured: true))
        }
    }

    public mutating func ingest(_ record: CallRecord) {
        ingested &+= 1
        // Network text is cut to its caps first, so no count or group holds more of it.
        var record = configuration.textLimits.trimmed(record)
        let time = record.time.timeIntervalSince1970
        newest = max(newest, time)
        let fingerprint = tokenEntry(for: record.token)
        // Keep a window's worth plus slack, so out-of-order records near the edge still count.
        tokens[fingerprint]!.ingest(record, pruneHorizon: configuration.window * 2)

        let horizon = newest - configuration.errorWindow - 60
        if configuration.tracksUsage {
            let counted = usage.add(record, token: tokens[fingerprint]!.reference, time: time)
            if counted != (record.job, record.route) { record = record.attributed(job: counted.job, route: counted.route) }
        }
        let keys = GroupKey.keys(for: record)
        // Codes folded into one "other" group count there once (only a call with several
        // codes can fold twice, so most calls skip the set).
        var slots = keys.map { slot(for: $0) }
        if slots.count > 1 {
            var seen: Set<Int> = []
            slots = slots.filter { seen.insert($0).inserted }
        }
        for slot in slots { groupCounters[slot].add(time: time, keepingAfter: horizon) }
        classCounters[keys[0].statusClass, default: GroupCounter()].add(time: time, keepingAfter: horizon)
        guard keys[0].statusClass != .success else { return }
        nextOccurrenceID += 1
        let occurrence = Occurrence(id: nextOccurrenceID, record: record, slot: slots[0],
                                    extraSlots: shared(Array(slots.dropFirst())), tokenSlot: tokenSlots[fingerprint] ?? 0)
        evicted += ring.append(occurrence)
    }

    /// The token a record counts under: its own, or "other" once `maxUnknownTokens` tokens
    /// the configuration does not name have rows (each distinct Authorization value the tap
    /// sees would otherwise cost a row and its hour of history).
    private mutating func tokenEntry(for reference: TokenReference) -> Fingerprint {
        let fingerprint = reference.fingerprint
        if tokens[fingerprint] != nil {
            if tokens[fingerprint]!.reference.label == nil, reference.label != nil { tokens[fingerprint]!.reference = reference }
            return fingerprint
        }
        if unknownTokens >= configuration.maxUnknownTokens {
            let other = TokenReference.other
            if tokens[other.fingerprint] == nil { addToken(TokenStats(reference: other, configured: false, aggregate: true)) }
            return other.fingerprint
        }
        unknownTokens += 1
        addToken(TokenStats(reference: reference, configured: false))
        return fingerprint
    }

    private mutating func addToken(_ stats: TokenStats) {
        tokens[stats.reference.fingerprint] = stats
        tokenSlots[stats.reference.fingerprint] = tokenOrder.count
        tokenOrder.append(stats.reference.fingerprint)
    }

    /// One array per distinct list of extra groups, shared by every occurrence that has it.
    private mutating func shared(_ extraSlots: [Int]) -> [Int] {
        guard !extraSlots.isEmpty else { return [] }
        if let existing = sharedExtraSlots[extraSlots] { return existing }
        // Combinations of codes are many; past this, an occurrence keeps its own (bounded) list.
        guard sharedExtraSlots.count < Self.maxSharedExtraSlots else { return extraSlots }
        sharedExtraSlots[extraSlots] = extraSlots
        return extraSlots
    }

    static let maxSharedExtraSlots = 10_000

    /// A new code past `maxGroups` counts in its status's "other" group.
    private mutating func slot(for key: GroupKey) -> Int {
        if let slot = groupSlots[key] { return slot }
        let key = groupKeys.count < configuration.maxGroups || key.isOther ? key : key.other
        if let slot = groupSlots[key] { return slot }
        groupKeys.append(key)
        groupCounters.append(GroupCounter())
        groupSlots[key] = groupKeys.count - 1
        return groupKeys.count - 1
    }

    public func snapshot(now: Date, filter: Filter = .empty) -> Snapshot {
        let allRows = tokenOrder.compactMap { tokens[$0] }.map { $0.row(now: now, configuration: configuration) }
        let rows = filter.isEmpty ? allRows : allRows.filter { filter.matches(token: $0.reference) }
        let classes = filter.isEmpty ? unfilteredClasses(now: now) : filteredClasses(now: now, filter: filter)
        let seconds = now.timeIntervalSince1970
        let limits = Dictionary(allRows.map { ($0.reference.fingerprint, $0.limit) }) { a, _ in a }
        let jobs = usage.jobRows(now: seconds, configuration: configuration, limit: { limits[$0] ?? configuration.documentedLimit },
                                 filter: filter)
        return Snapshot(version: ingested, time: now, tokens: rows, classes: classes, retained: ring.count,
                        evicted: evicted, errorWindow: configuration.errorWindow,
                        filter: filter.isEmpty ? nil : filter.description, jobs: jobs,
                        routes: usage.routeRows(now: seconds, configuration: configuration, filter: filter))
    }

    /// Counts from the exact counters; occurrences from the ring.
    private func unfilteredClasses(now: Date) -> [ClassSummary] {
        let seconds = now.timeIntervalSince1970
        let oldest = seconds - configuration.errorWindow
        let limit = configuration.occurrencesPerGroup
        var listed = [[Occurrence]](repeating: [], count: groupKeys.count)
        ring.scanNewestFirst { entry, position in
            guard entry.time > oldest, entry.hasExtraSlots || listed[Int(entry.slot)].count < limit else { return true }
            let occurrence = ring[position]
            if listed[occurrence.slot].count < limit { listed[occurrence.slot].append(occurrence) }
            for slot in occurrence.extraSlots where listed[slot].count < limit { listed[slot].append(occurrence) }
            return true
        }
        let counted = groupKeys.indices.compactMap { slot -> ErrorGroup? in
            let count = groupCounters[slot].count(now: seconds, window: configuration.errorWindow)
            guard count > 0 else { return nil }
            return ErrorGroup(key: groupKeys[slot], count: count, occurrences: Self.newestFirst(listed[slot]))
        }
        let classCounts = classCounters.mapValues { $0.count(now: seconds, window: configuration.errorWindow) }
        return Self.summaries(counted, classCounts: classCounts)
    }

    /// With a filter, counts are over the retained occurrences that match it.
    private func filteredClasses(now: Date, filter: Filter) -> [ClassSummary] {
        let seconds = now.timeIntervalSince1970
        let prepared = PreparedFilter(filter, tokens: tokenOrder.map { tokens[$0]!.reference }, groups: groupKeys)
        var counts = [Int](repeating: 0, count: groupKeys.count)
        var listed = [[Occurrence]](repeating: [], count: groupKeys.count)
        var classCounts: [StatusClass: Int] = [:]
        // With code terms, a 400 shows under the codes asked for, not under all of its codes.
        let codes = Set(filter.alternatives.joined().filter { $0.key == .code }.map(\.value))
        let oldest = seconds - configuration.errorWindow
        ring.scanNewestFirst { entry, position in
            guard entry.time > oldest else { return true }
            let verdict = prepared.verdict(tokenSlot: Int(entry.tokenSlot), slot: Int(entry.slot))
            guard verdict != .no else { return true }
            let occurrence = ring[position]
            guard verdict == .yes || prepared.matchesRecord(occurrence) else { return true }
            classCounts[groupKeys[occurrence.slot].statusClass, default: 0] += 1
            func count(_ slot: Int) {
                counts[slot] += 1
                if listed[slot].count < configuration.occurrencesPerGroup { listed[slot].append(occurrence) }
            }
            let extras = occurrence.extraSlots
            // A 400 with several codes counts under the codes asked for when any of its codes is.
            let narrowed = !codes.isEmpty && !extras.isEmpty
                && (codes.contains(groupKeys[occurrence.slot].code) || extras.contains { codes.contains(groupKeys[$0].code) })
            if !narrowed || codes.contains(groupKeys[occurrence.slot].code) { count(occurrence.slot) }
            for slot in extras where !narrowed || codes.contains(groupKeys[slot].code) { count(slot) }
            return true
        }
        let matched = groupKeys.indices.compactMap { slot -> ErrorGroup? in
            counts[slot] > 0 ? ErrorGroup(key: groupKeys[slot], count: counts[slot], occurrences: Self.newestFirst(listed[slot])) : nil
        }
        return Self.summaries(matched, classCounts: classCounts)
    }

    private static func newestFirst(_ occurrences: [Occurrence]) -> [Occurrence] {
        occurrences.sorted { ($0.record.time, $0.id) > ($1.record.time, $1.id) }
    }

    private static func summaries(_ groups: [ErrorGroup], classCounts: [StatusClass: Int]) -> [ClassSummary] {
        Dictionary(grouping: groups, by: \.key.statusClass)
            .map { ClassSummary(statusClass: $0.key, groups: $0.value.sorted { $0.key < $1.key }, count: classCounts[$0.key] ?? 0) }
            .sorted { $0.statusClass < $1.statusClass }
    }
}
