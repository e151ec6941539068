/// What a 400 description says about its field, parsed from the seed's templates.
public struct FieldDetail: Sendable, Hashable, Codable {
    /// `x` in the templates: the field's path, e.g. `metadata.title`. For
    /// `resource_exhausted` it is the resource ("You cannot 'x' any more of 'y'": y).
    public let field: String
    /// `y`: the limit, type, format or other field the rule names; nil where the template has none.
    public let constraint: String?
    /// `z`: the value the caller sent, when the description quotes it.
    public let provided: String?

    public init(field: String, constraint: String?, provided: String?) {
        self.field = field
        self.constraint = constraint
        self.provided = provided
    }
}

/// Parses 400 descriptions against the ten templates of the seed.
///
/// A template is a sequence of literal pieces with holes between them. The last hole (the
/// provided value) runs to the closing literal anchored at the end of the text, so values
/// that contain quotes or the template's own words still parse; earlier holes stop at the
/// first occurrence of the next literal (field names and constraints do not quote).
/// Route-specific variants that drop the "Value of 'z' was provided." tail are accepted too.
public enum FieldTemplates {
    private enum Hole { case field, constraint, provided }

    private struct Template {
        let literals: [String]  // literals.count == holes.count + 1
        let holes: [Hole]
    }

    private static let valueTail = ". Value of '"
    private static let end = "' was provided."

    private static func withValue(_ head: String, _ middle: String, _ tail: String) -> [Template] {
        // "Field 'x' <middle> 'y'<tail>. Value of 'z' was provided." and the same without the value.
        [
            Template(literals: [head, middle, tail + valueTail, end], holes: [.field, .constraint, .provided]),
            Template(literals: [head, middle, tail + "."], holes: [.field, .constraint]),
        ]
    }

    private static let templates: [String: [Template]] = [
        "empty": [Template(literals: ["Field '", "' cannot be empty."], holes: [.field])],
        "required": [Template(literals: ["Field '", "' is required."], holes: [.field])],
        "invalid_format": [
            Template(literals: ["Field '", "' cannot \"", "\"" + valueTail, end], holes: [.field, .constraint, .provided]),
            Template(literals: ["Field '", "' cannot \"", "\"."], holes: [.field, .constraint]),
        ],
        "invalid_type": withValue("Field '", "' must be of type '", "'"),
        "not_allowed": withValue("Field '", "' cannot be used with '", "'"),
        "too_high": withValue("Field '", "' must be lower than '", "'"),
        "too_low": withValue("Field '", "' must be higher than '", "'"),
        "too_short": withValue("Field '", "' must be longer than '", "'"),
        "too_long": withValue("Field '", "' must be shorter than '", "' characters")
            + withValue("Field '", "' must be shorter than '", "'"),
        "resource_exhausted": [
            // "You cannot 'x' any more of 'y'": y is the resource (our field), x the action.
            Template(literals: ["You cannot '", "' any more of '", "'" + valueTail, end], holes: [.constraint, .field, .provided]),
            Template(literals: ["You cannot '", "' any more of '", "'."], holes: [.constraint, .field]),
        ],
    ]

    /// The detail of a description with this code, or nil when no template matches.
    public static func parse(code: String, description: String) -> FieldDetail? {
        guard let candidates = templates[code] else { return nil }
        for template in candidates {
            if let detail = match(template, description) { return detail }
        }
        return nil
    }

    /// Matches on UTF-8 bytes: the literals are ASCII, and an ASCII byte never occurs
    /// inside a multi-byte character, so byte positions are always character boundaries.
    private static func match(_ template: Template, _ text: String) -> FieldDetail? {
        let literals = template.literals
        var bytes = Array(text.utf8)[...]
        guard let first = literals.first, let last = literals.last,
            bytes.starts(with: first.utf8), bytes.count >= first.utf8.count + last.utf8.count,
            bytes.suffix(last.utf8.count).elementsEqual(last.utf8)
        else { return nil }
        bytes = bytes.dropFirst(first.utf8.count).dropLast(last.utf8.count)
        var captured: [Hole: String] = [:]
        for (index, hole) in template.holes.enumerated() {
            if index == template.holes.count - 1 {
                captured[hole] = String(decoding: bytes, as: UTF8.self)
            } else {
                let next = Array(literals[index + 1].utf8)
                guard let found = firstIndex(of: next, in: bytes) else { return nil }
                captured[hole] = String(decoding: bytes[..<found], as: UTF8.self)
                bytes = bytes[(found + next.count)...]
            }
        }
        guard let field = captured[.field], !field.isEmpty else { return nil }
        return FieldDetail(field: field, constraint: captured[.constraint], provided: captured[.provided])
    }

    private static func firstIndex(of needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        var start = haystack.startIndex
        while start + needle.count <= haystack.endIndex {
            if haystack[start] == needle[0], haystack[start..<(start + needle.count)].elementsEqual(needle) { return start }
            start += 1
        }
        return nil
    }
}
