import Foundation
import ManagementAPI

/// The filter language of DESIGN.md section 5: terms separated by spaces, all must hold;
/// the same key twice means either; `!` before a term negates it. Bare words must each
/// match (they are search words, not alternatives).
public struct Filter: Sendable, Hashable, CustomStringConvertible {
    public enum Key: String, Sendable, Hashable, CaseIterable {
        case token, code, status, field, method, path
        /// Who called (a job's whole name) and where (a whole route, or a part of one).
        case job, route
        /// A bare word: matches a description or the path.
        case text
    }

    public enum StatusPattern: Sendable, Hashable {
        case exact(Int)
        case statusClass(StatusClass)
    }

    public struct Term: Sendable, Hashable {
        public let key: Key
        public let value: String
        public let negated: Bool
        let status: StatusPattern?
        /// The value folded to lowercase ASCII, for case-insensitive comparisons.
        let folded: [UInt8]

        init(key: Key, value: String, negated: Bool, status: StatusPattern? = nil) {
            self.key = key
            self.value = value
            self.negated = negated
            self.status = status
            self.folded = value.utf8.map(ASCII.fold)
        }
    }

    public let terms: [Term]
    /// Positive terms by key (OR within a key), in first-appearance order.
    let alternatives: [[Term]]
    let negations: [Term]

    public static let empty = Filter(terms: [])

    init(terms: [Term]) {
        self.terms = terms
        var groups: [Key: [Term]] = [:]
        var order: [Key] = []
        var alternatives: [[Term]] = []
        for term in terms where !term.negated {
            if term.key == .text {
                alternatives.append([term])
            } else {
                if groups[term.key] == nil { order.append(term.key) }
                groups[term.key, default: []].append(term)
            }
        }
        self.alternatives = order.map { groups[$0]! } + alternatives
        self.negations = terms.filter(\.negated)
    }

    public init(parsing text: String) throws(FilterError) {
        var parser = FilterParser(text)
        self.init(terms: try parser.parse())
    }

    public var isEmpty: Bool { terms.isEmpty }

    /// The canonical text: what the prompt shows back.
    public var description: String {
        terms.map { term in
            (term.negated ? "!" : "") + (term.key == .text ? "" : term.key.rawValue + ":") + Self.quoted(term.value, key: term.key)
        }.joined(separator: " ")
    }

    /// A value as the parser reads it back: the one quoting rule, for the prompt's text and
    /// for the keys that add a term (`t`, `c`). Quoted when it is empty or holds whitespace or
    /// a quote, and, for a bare word, a `:` (it would read as a key) or a leading `!`.
    public static func quoted(_ value: String, key: Key) -> String {
        let bare = key == .text && (value.contains(":") || value.hasPrefix("!"))
        guard value.isEmpty || bare || value.contains(where: { $0.isWhitespace || $0 == "\"" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The filter's meaning, one occurrence at a time. The monitor's scans use
    /// `PreparedFilter`, which must select exactly what this selects (a property test holds
    /// them together).
    public func matches(_ occurrence: Occurrence) -> Bool {
        matches(occurrence.record, group: occurrence.group)
    }

    /// Whether a record passes as its occurrence would: for records that never were
    /// occurrences, such as the journal's (the recorder's `/v1/calls`, export).
    public func matches(_ record: CallRecord) -> Bool {
        matches(record, group: GroupKey.keys(for: record)[0])
    }

    private func matches(_ record: CallRecord, group: GroupKey) -> Bool {
        for alternative in alternatives where !alternative.contains(where: { $0.matches(record, group) }) {
            return false
        }
        return !negations.contains { $0.matches(record, group) }
    }

    /// Whether a job's row passes: `token:` and `job:` terms speak about jobs.
    public func matches(job: String, token: TokenReference) -> Bool {
        matches(token: token) && matches(name: job, key: .job)
    }

    /// Whether a route's row passes: only `route:` terms speak about routes (a route's calls
    /// come from every token).
    public func matches(route: String) -> Bool {
        matches(name: route, key: .route)
    }

    private func matches(name: String, key: Key) -> Bool {
        let positive = terms.filter { $0.key == key && !$0.negated }
        if !positive.isEmpty, !positive.contains(where: { $0.matches(name: name) }) { return false }
        return !terms.contains { $0.key == key && $0.negated && $0.matches(name: name) }
    }

    /// Whether a token's row passes: only `token:` terms speak about tokens.
    public func matches(token: TokenReference) -> Bool {
        let positive = terms.filter { $0.key == .token && !$0.negated }
        if !positive.isEmpty, !positive.contains(where: { $0.matches(token) }) { return false }
        return !terms.contains { $0.key == .token && $0.negated && $0.matches(token) }
    }
}

extension Filter.Term {
    func matches(_ token: borrowing TokenReference) -> Bool {
        if folded.first == UInt8(ascii: "#") {
            return ASCII.hasPrefix(token.fingerprint.hex.utf8, folded.dropFirst())
        }
        guard let label = token.label else { return false }
        return ASCII.hasPrefix(label.utf8, folded[...])
    }

    /// A `job:` or `route:` term against a name: a job's whole name; a whole route (as Enter on
    /// the Routes view writes it) or a part of one (`route:media`, any route holding it).
    func matches(name: String) -> Bool {
        if key == .route, folded.first != UInt8(ascii: "/") { return ASCII.contains(name.utf8, folded) }
        return ASCII.equal(name.utf8, folded)
    }

    /// The term, without its negation, against one record.
    func matches(_ record: borrowing CallRecord, _ group: borrowing GroupKey) -> Bool {
        switch key {
        case .token:
            return matches(record.token)
        case .code:
            if group.code == value { return true }
            for index in record.errors.indices where record.errors[index].code == value { return true }
            return false
        case .status:
            switch status {
            case .exact(let code): return record.outcome.status == code
            case .statusClass(let statusClass): return record.statusClass == statusClass
            case nil: return false
            }
        case .field:
            return record.errors.contains { entry in
                guard let field = entry.detail?.field else { return false }
                return field == value || (field.hasPrefix(value) && field.dropFirst(value.count).first == ".")
            }
        case .method:
            return ASCII.equal(record.method.utf8, folded)
        case .path:
            return ASCII.contains(record.path.utf8, folded)
        case .job:
            return matches(name: record.job)
        case .route:
            return matches(name: record.route)
        case .text:
            // Index loop: a closure over the entries would copy each one (and retain its strings).
            if ASCII.contains(record.path.utf8, folded) { return true }
            for index in record.errors.indices where ASCII.contains(record.errors[index].description.utf8, folded) { return true }
            return false
        }
    }
}

/// ASCII case folding over UTF-8, without allocating: filters run over 100 000 occurrences.
enum ASCII {
    @inline(__always)
    static func fold(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte + 32 : byte }

    static func equal(_ text: String.UTF8View, _ folded: [UInt8]) -> Bool {
        guard text.count == folded.count else { return false }
        return zip(text, folded).allSatisfy { fold($0) == $1 }
    }

    static func hasPrefix(_ text: String.UTF8View, _ folded: ArraySlice<UInt8>) -> Bool {
        guard text.count >= folded.count else { return false }
        var index = text.startIndex
        for byte in folded {
            guard fold(text[index]) == byte else { return false }
            index = text.index(after: index)
        }
        return true
    }

    static func contains(_ text: String.UTF8View, _ folded: [UInt8]) -> Bool {
        guard let first = folded.first else { return true }
        // Native strings are contiguous UTF-8: search in place, without copying.
        if let found = text.withContiguousStorageIfAvailable({ contains($0, folded, first) }) { return found }
        return Array(text).withUnsafeBufferPointer { contains($0, folded, first) }
    }

    private static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ folded: [UInt8], _ first: UInt8) -> Bool {
        guard bytes.count >= folded.count else { return false }
        var start = 0
        while start + folded.count <= bytes.count {
            if fold(bytes[start]) == first {
                var offset = 1
                while offset < folded.count, fold(bytes[start + offset]) == folded[offset] { offset += 1 }
                if offset == folded.count { return true }
            }
            start += 1
        }
        return false
    }
}
