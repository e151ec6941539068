import Foundation
import ManagementAPI

/// The whole model as a plain value: records in, snapshots out. `Monitor` wraps it in a lock.
public struct MonitorCore: Sendable {
    public let configuration: MonitorConfiguration
    private var tokens: [Fingerprint: TokenStats] = [:]
    private var tokenOrder: [Fingerprint] = []
    private var ring: Ring<Occurrence>
    private var groups: [GroupKey: GroupCounter] = [:]
    private var newest: TimeInterval = -.infinity
    private(set) var ingested: UInt64 = 0
    private var nextOccurrenceID: UInt64 = 0
    private var evicted = 0

    public init(configuration: MonitorConfiguration = MonitorConfiguration()) {
        self.configuration = configuration
        ring = Ring(capacity: configuration.ringCapacity)
    }

    /// Tokens named in the configuration show from the start, idle until something is seen.
    public mutating func register(_ reference: TokenReference) {
        if tokens[reference.fingerprint] != nil {
            tokens[reference.fingerprint]!.configured = true
            if reference.label != nil { tokens[reference.fingerprint]!.reference = reference }
        } else {
            tokens[reference.fingerprint] = TokenStats(reference: reference, configured: true)
            tokenOrder.append(reference.fingerprint)
        }
    }

    public mutating func ingest(_ record: CallRecord) {
        ingested &+= 1
        let time = record.time.timeIntervalSince1970
        newest = max(newest, time)
        let fingerprint = record.token.fingerprint
        if tokens[fingerprint] == nil {
            tokens[fingerprint] = TokenStats(reference: record.token, configured: false)
            tokenOrder.append(fingerprint)
        } else if tokens[fingerprint]!.reference.label == nil, record.token.label != nil {
            tokens[fingerprint]!.reference = record.token
        }
        // Keep a window's worth plus slack, so out-of-order records near the edge still count.
        tokens[fingerprint]!.ingest(record, pruneHorizon: configuration.window * 2)

        let key = GroupKey(record)
        groups[key, default: GroupCounter()].add(time: time, keepingAfter: newest - configuration.errorWindow - 60)
        guard key.statusClass != .success else { return }
        nextOccurrenceID += 1
        if ring.append(Occurrence(id: nextOccurrenceID, record: record, group: key)) != nil { evicted += 1 }
    }

    public func snapshot(now: Date, filter: Filter = .empty) -> Snapshot {
        let rows = tokenOrder.compactMap { tokens[$0] }
            .filter { filter.matches(token: $0.reference) }
            .map { $0.row(now: now, configuration: configuration) }
        let classes = filter.isEmpty ? unfilteredClasses(now: now) : filteredClasses(now: now, filter: filter)
        return Snapshot(version: ingested, time: now, tokens: rows, classes: classes, retained: ring.count,
                        evicted: evicted, errorWindow: configuration.errorWindow,
                        filter: filter.isEmpty ? nil : filter.description)
    }

    private func inWindow(_ occurrence: Occurrence, now: TimeInterval) -> Bool {
        now - occurrence.record.time.timeIntervalSince1970 < configuration.errorWindow
    }

    /// Counts from the exact counters; occurrences from the ring.
    private func unfilteredClasses(now: Date) -> [ClassSummary] {
        let seconds = now.timeIntervalSince1970
        var listed: [GroupKey: [Occurrence]] = [:]
        ring.forEachNewestFirst { occurrence in
            if inWindow(occurrence, now: seconds), listed[occurrence.group, default: []].count < configuration.occurrencesPerGroup {
                listed[occurrence.group, default: []].append(occurrence)
            }
            return true
        }
        let counted = groups.compactMap { key, counter -> ErrorGroup? in
            let count = counter.count(now: seconds, window: configuration.errorWindow)
            guard count > 0 else { return nil }
            return ErrorGroup(key: key, count: count, occurrences: Self.newestFirst(listed[key] ?? []))
        }
        return Self.summaries(counted)
    }

    /// With a filter, counts are over the retained occurrences that match it.
    private func filteredClasses(now: Date, filter: Filter) -> [ClassSummary] {
        let seconds = now.timeIntervalSince1970
        var matched: [GroupKey: (count: Int, listed: [Occurrence])] = [:]
        ring.forEachNewestFirst { occurrence in
            if inWindow(occurrence, now: seconds), filter.matches(occurrence) {
                var entry = matched[occurrence.group] ?? (0, [])
                entry.count += 1
                if entry.listed.count < configuration.occurrencesPerGroup { entry.listed.append(occurrence) }
                matched[occurrence.group] = entry
            }
            return true
        }
        return Self.summaries(matched.map { ErrorGroup(key: $0.key, count: $0.value.count, occurrences: Self.newestFirst($0.value.listed)) })
    }

    private static func newestFirst(_ occurrences: [Occurrence]) -> [Occurrence] {
        occurrences.sorted { ($0.record.time, $0.id) > ($1.record.time, $1.id) }
    }

    private static func summaries(_ groups: [ErrorGroup]) -> [ClassSummary] {
        Dictionary(grouping: groups, by: \.key.statusClass)
            .map { ClassSummary(statusClass: $0.key, groups: $0.value.sorted { $0.key < $1.key }) }
            .sorted { $0.statusClass < $1.statusClass }
    }
}
