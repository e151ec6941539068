import ManagementAPI

/// A filter resolved against the monitor's tokens and groups. Token and status terms (and
/// most code terms) depend only on an occurrence's token or group, so the whole filter is
/// decided once per (token, group) pair into a flat table; only pairs that need more (a
/// word, a field, a 400's other codes) look at each record. This is what keeps filtering
/// 100 000 occurrences within a redraw.
struct PreparedFilter {
    enum Verdict: UInt8 {
        case no, yes, askRecord
    }

    /// A class so the scan borrows one reference instead of copying the term's strings.
    private final class Check: Sendable {
        let term: Filter.Term
        let byToken: [Verdict]?
        let byGroup: [Verdict]?

        init(term: Filter.Term, byToken: [Verdict]?, byGroup: [Verdict]?) {
            self.term = term
            self.byToken = byToken
            self.byGroup = byGroup
        }

        /// What the term says for a token and group, before looking at any record.
        func verdict(token: Int, group: Int) -> Verdict {
            byToken?[token] ?? byGroup?[group] ?? .askRecord
        }

        func matches(_ occurrence: Occurrence, in groups: [GroupKey]) -> Bool {
            switch verdict(token: occurrence.tokenSlot, group: occurrence.slot) {
            case .no: return false
            case .yes: return true
            case .askRecord: return term.matches(occurrence.record, groups[occurrence.slot])
            }
        }
    }

    private let alternatives: [[Check]]
    private let negations: [Check]
    /// The filter's verdict per (token slot, group slot): row-major, `groupCount` wide.
    private let table: [Verdict]
    private let groups: [GroupKey]
    private var groupCount: Int { groups.count }

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
                // A 400 carries other field codes than its group's; any other answer has one code,
                // except in an "other" group, which holds many.
                return Check(term: term, byToken: nil, byGroup: groups.map { key in
                    key.code == term.value ? .yes : (key.status == 400 || key.status == nil || key.isOther ? .askRecord : .no)
                })
            default:
                return Check(term: term, byToken: nil, byGroup: nil)
            }
        }
        alternatives = filter.alternatives.map { $0.map(check) }
        negations = filter.negations.map(check)
        self.groups = groups
        var table = [Verdict](repeating: .askRecord, count: tokens.count * groups.count)
        for token in tokens.indices {
            for group in groups.indices {
                table[token * groups.count + group] = Self.decide(alternatives, negations, token: token, group: group)
            }
        }
        self.table = table
    }

    /// All alternatives must hold and no negation may; unknown where a term needs the record.
    private static func decide(_ alternatives: [[Check]], _ negations: [Check], token: Int, group: Int) -> Verdict {
        var result = Verdict.yes
        for alternative in alternatives {
            let verdicts = alternative.map { $0.verdict(token: token, group: group) }
            if verdicts.contains(.yes) { continue }
            if verdicts.allSatisfy({ $0 == .no }) { return .no }
            result = .askRecord
        }
        for negation in negations {
            switch negation.verdict(token: token, group: group) {
            case .yes: return .no
            case .askRecord: result = .askRecord
            case .no: break
            }
        }
        return result
    }

    /// The filter's answer for an occurrence of this token and group, before its record is
    /// read: `.askRecord` means `matchesRecord` must decide.
    func verdict(tokenSlot: Int, slot: Int) -> Verdict {
        let index = tokenSlot * groupCount + slot
        return index < table.count ? table[index] : .askRecord
    }

    /// The whole filter against the occurrence's record, for pairs the table left open.
    func matchesRecord(_ occurrence: Occurrence) -> Bool {
        for group in alternatives where !group.contains(where: { $0.matches(occurrence, in: groups) }) {
            return false
        }
        return !negations.contains { $0.matches(occurrence, in: groups) }
    }
}
