import Foundation
import ManagementAPI

/// The writer's map from fingerprints to the small ids that rows store: a row names its token
/// by an integer of one or two bytes instead of repeating the fingerprint and label.
struct TokenDirectory {
    struct Entry: Sendable {
        let id: Int64
        let fingerprint: String
        var label: String?
        let source: CallSource
        let firstSeen: Double
        /// False until a committed batch holds this entry's current row.
        var written: Bool

        var reference: TokenReference { TokenReference(fingerprint: Fingerprint(hex: fingerprint), label: label) }
    }

    private(set) var entries: [Int64: Entry] = [:]
    private var ids: [String: Int64] = [:]
    private var nextID: Int64 = 1

    init(stored: [Entry] = []) {
        for entry in stored {
            entries[entry.id] = entry
            ids[entry.fingerprint] = entry.id
            nextID = max(nextID, entry.id + 1)
        }
    }

    /// The id a record's token is stored under, and whether its row must be (re)written: a new
    /// token, or a known one whose label the record changes (the configuration renamed it).
    mutating func resolve(_ reference: TokenReference, source: CallSource, at time: Date) -> (id: Int64, changed: Bool) {
        let fingerprint = reference.fingerprint.hex
        if let id = ids[fingerprint] {
            guard let label = reference.label, entries[id]?.label != label else { return (id, false) }
            entries[id]?.label = label
            entries[id]?.written = false
            return (id, true)
        }
        let id = nextID
        nextID += 1
        ids[fingerprint] = id
        entries[id] = Entry(
            id: id, fingerprint: fingerprint, label: reference.label, source: source,
            firstSeen: time.timeIntervalSinceReferenceDate, written: false)
        return (id, true)
    }

    func needsRow(_ id: Int64) -> Bool { entries[id].map { !$0.written } ?? false }

    mutating func markWritten(_ written: some Sequence<Int64>) {
        for id in written { entries[id]?.written = true }
    }

    /// After the file was recreated: rows are written again as rows come to need them.
    mutating func markAllUnwritten() {
        for id in entries.keys { entries[id]?.written = false }
    }

    var count: Int { entries.count }
}
