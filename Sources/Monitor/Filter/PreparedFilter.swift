import ManagementAPI

/// A filter resolved against the monitor's tokens and groups. Token and status terms (and
/// most code terms) depend only on an occurrence's token or group, so they are decided
/// once per token and per group; only the rest look at each record. This is what keeps
/// filtering 100 000 occurrences within a redraw.
struct PreparedFilter {
    private enum Verdict: UInt8 {
        case no, yes, askRecord
    }

    private struct Check {
        let term: Filter.Term
        let byToken: [Verdict]?
        let byGroup: [Verdict]?

        func matches(_ occurrence: borrowing Occurrence) -> Bool {
            let verdict = byToken?[occurrence.tokenSlot] ?? byGroup?[occurrence.slot] ?? .askRecord
            switch verdict {
            case .no: return false
            case .yes: return true
            case .askRecord: return term.matches(occurrence.record, occurrence.group)
            }
        }
    }

    private let alternatives: [[Check]]
    private let negations: [Check]

    init(_ filter: Filter, tokens: [TokenReference], groups: [GroupKey]) {
        func check(_ term: Filter.Term) -> Check {
            switch term.key {
            case .token:
                return Check(term: term, byToken: tokens.map { term.matches($0) ? .yes : .no }, byGroup: nil)
            case .status:
                return Check(term: term, byToken: nil, byGroup: groups.map { key in
                    switch term.status {
                    case .exact(let code): key.status == code ? .yes : .no
                    case .statusClass(let statusClass): key.statusClass == statusClass ? .yes : .no
                    case nil: .no
                    }
                })
            case .code:
                // A 400 carries other field codes than its group's; any other answer has one code.
                return Check(term: term, byToken: nil, byGroup: groups.map { key in
                    key.code == term.value ? .yes : (key.status == 400 || key.status == nil ? .askRecord : .no)
                })
            default:
                return Check(term: term, byToken: nil, byGroup: nil)
            }
        }
        alternatives = filter.alternatives.map { $0.map(check) }
        negations = filter.negations.map(check)
    }

    func matches(_ occurrence: borrowing Occurrence) -> Bool {
        for group in alternatives where !group.contains(where: { $0.matches(occurrence) }) {
            return false
        }
        return !negations.contains { $0.matches(occurrence) }
    }
}
