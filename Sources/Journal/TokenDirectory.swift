import Foundation
import ManagementAPI

/// The writer's map from fingerprints to the small ids that rows store, bounded: past
/// `cap` tokens without a label, further unlabeled fingerprints all count as one "other" token.
///
/// Why a cap: the tap records whatever Authorization a caller sends, so 100 000 bogus values
/// would otherwise cost 100 000 token rows, events and map entries. Labeled tokens are the
/// ones the configuration names (only a known secret gets a label), so they are few and
/// always get their own row. The "other" entry is the Monitor's own `TokenReference.other`,
/// so a rebuilt monitor shows it as the same row a live one does.
struct TokenDirectory {
    /// 1 000 distinct unlabeled tokens: ten times the Monitor's own cap on unknown tokens
    /// (100), so a viewer never misses a token the journal could have named, while 100 000
    /// hostile values cost at most a thousand rows (about 60 KiB) and map entries.
    static let defaultCap = 1_000

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

    let cap: Int
    private(set) var entries: [Int64: Entry] = [:]
    private var ids: [String: Int64] = [:]
    private var unlabeled = 0
    private var nextID: Int64 = 1

    init(cap: Int, stored: [Entry] = []) {
        self.cap = max(0, cap)
        for entry in stored {
            entries[entry.id] = entry
            ids[entry.fingerprint] = entry.id
            if entry.label == nil, entry.fingerprint != Self.other.fingerprint.hex { unlabeled += 1 }
            nextID = max(nextID, entry.id + 1)
        }
    }

    static var other: TokenReference { TokenReference.other }

    var otherID: Int64? { ids[Self.other.fingerprint.hex] }

    /// The id a record's token is stored under, and whether its row must be (re)written: a new
    /// token, or a known one whose label the record changes (the configuration renamed it).
    mutating func resolve(_ reference: TokenReference, source: CallSource, at time: Date) -> (id: Int64, changed: Bool) {
        let fingerprint = reference.fingerprint.hex
        if let id = ids[fingerprint] {
            guard let label = reference.label, entries[id]?.label != label, fingerprint != Self.other.fingerprint.hex else {
                return (id, false)
            }
            entries[id]?.label = label
            entries[id]?.written = false
            return (id, true)
        }
        if reference.label == nil {
            guard unlabeled < cap else { return resolve(Self.other, source: source, at: time) }
            unlabeled += 1
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
