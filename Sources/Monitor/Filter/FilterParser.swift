import ManagementAPI

/// Parses filter text into terms, with errors that say where and what was expected.
struct FilterParser {
    private let characters: [Character]
    private var index = 0

    init(_ text: String) {
        characters = Array(text)
    }

    private var column: Int { index + 1 }

    mutating func parse() throws(FilterError) -> [Filter.Term] {
        var terms: [Filter.Term] = []
        while true {
            while index < characters.count, characters[index].isWhitespace { index += 1 }
            guard index < characters.count else { return terms }
            terms.append(try term())
        }
    }

    private mutating func term() throws(FilterError) -> Filter.Term {
        var negated = false
        let start = column
        if characters[index] == "!" {
            negated = true
            index += 1
            guard index < characters.count, !characters[index].isWhitespace else {
                throw FilterError(column: start, message: "'!' must be followed by a term, as in !code:too_long")
            }
            if characters[index] == "!" { throw FilterError(column: column, message: "'!' twice; one '!' negates a term") }
        }
        if characters[index] == "\"" {
            let word = try quoted()
            try expectEndOfTerm()
            return Filter.Term(key: .text, value: word, negated: negated)
        }
        let wordStart = index
        while index < characters.count, !characters[index].isWhitespace, characters[index] != ":" {
            if characters[index] == "\"" {
                throw FilterError(column: column, message: "unexpected '\"' inside a word; quote the whole value")
            }
            index += 1
        }
        let word = String(characters[wordStart..<index])
        guard index < characters.count, characters[index] == ":" else {
            return Filter.Term(key: .text, value: word, negated: negated)
        }
        guard !word.isEmpty else {
            throw FilterError(column: column, message: "a key is missing before ':'; keys are \(Self.keyList)")
        }
        guard let key = Filter.Key(rawValue: word.lowercased()), key != .text else {
            throw FilterError(column: wordStart + 1,
                              message: "unknown key '\(word)'; keys are \(Self.keyList) (quote a word with ':' to search for it)")
        }
        index += 1  // the ':'
        let valueColumn = column
        let value: String
        if index < characters.count, characters[index] == "\"" {
            value = try quoted()
            try expectEndOfTerm()
        } else {
            let valueStart = index
            while index < characters.count, !characters[index].isWhitespace {
                if characters[index] == "\"" {
                    throw FilterError(column: column, message: "unexpected '\"' inside a value; quote the whole value")
                }
                index += 1
            }
            value = String(characters[valueStart..<index])
        }
        guard !value.isEmpty else {
            throw FilterError(column: valueColumn, message: "'\(key.rawValue):' needs a value, as in \(Self.example(key))")
        }
        return try Self.validated(key: key, value: value, negated: negated, column: valueColumn)
    }

    /// A quoted string with `\"` and `\\` escapes; the cursor starts on the opening quote.
    private mutating func quoted() throws(FilterError) -> String {
        let open = column
        index += 1
        var text = ""
        while index < characters.count {
            let character = characters[index]
            index += 1
            switch character {
            case "\"": return text
            case "\\":
                guard index < characters.count else { break }
                let escaped = characters[index]
                guard escaped == "\"" || escaped == "\\" else {
                    throw FilterError(column: column - 1, message: "unknown escape '\\\(escaped)'; only \\\" and \\\\ are escapes")
                }
                text.append(escaped)
                index += 1
            default: text.append(character)
            }
        }
        throw FilterError(column: open, message: "unterminated quote; close it with '\"'")
    }

    private func expectEndOfTerm() throws(FilterError) {
        if index < characters.count, !characters[index].isWhitespace {
            throw FilterError(column: column, message: "expected a space after the closing quote")
        }
    }

    static let keyList = "token, code, status, field, method, path, job, route"

    static func example(_ key: Filter.Key) -> String {
        switch key {
        case .token: "token:ingest or token:#1a2b3c4d"
        case .code: "code:too_long"
        case .status: "status:429 or status:4xx"
        case .field: "field:metadata.title"
        case .method: "method:POST"
        case .path: "path:/media"
        case .job: "job:nightly-ingest.py"
        case .route: "route:/v2/sites/{site_id}/media/ or route:media"
        case .text: "timeout"
        }
    }

    static func validated(key: Filter.Key, value: String, negated: Bool, column: Int) throws(FilterError) -> Filter.Term {
        switch key {
        case .status:
            let lower = value.lowercased()
            let classes: [String: StatusClass] = ["2xx": .success, "4xx": .clientError, "5xx": .serverError, "transport": .transport]
            if let statusClass = classes[lower] {
                return Filter.Term(key: key, value: lower, negated: negated, status: .statusClass(statusClass))
            }
            guard value.count == 3, let code = Int(value), (100...599).contains(code) else {
                throw FilterError(column: column, message: "status must be a code from 100 to 599 or a class (2xx, 4xx, 5xx, transport), got '\(value)'")
            }
            return Filter.Term(key: key, value: value, negated: negated, status: .exact(code))
        case .code:
            guard value.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }) else {
                throw FilterError(column: column, message: "a code is lowercase letters, digits and '_', as in too_long; got '\(value)'")
            }
        case .method:
            guard value.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("a"..."z").contains($0) }) else {
                throw FilterError(column: column, message: "a method is letters only, as in POST; got '\(value)'")
            }
        case .token where value.hasPrefix("#"):
            let hex = value.dropFirst()
            guard !hex.isEmpty, hex.count <= 8, hex.unicodeScalars.allSatisfy({ $0.properties.isASCIIHexDigit }) else {
                throw FilterError(column: column, message: "a fingerprint is '#' and up to 8 hex digits, as in #1a2b3c4d; got '\(value)'")
            }
        default: break
        }
        return Filter.Term(key: key, value: value, negated: negated)
    }
}
