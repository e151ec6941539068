/// Finds the line a key stands on in TOML text, for error messages (the TOML library
/// reports lines for syntax errors only). It follows `[table]` and `[[array]]` headers
/// well enough for the flat files mapitop reads.
public struct TOMLKeyLocator {
    private struct KeyLine {
        let table: String
        /// Which `[[table]]` entry (0-based); 0 for plain tables and the top level.
        let index: Int
        let key: String
        let line: Int
    }

    private var keys: [KeyLine] = []
    private var headers: [(table: String, index: Int, line: Int)] = []

    public init(text: String) {
        var table = ""
        var index = 0
        var counts: [String: Int] = [:]
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.drop { $0 == " " || $0 == "\t" }
            if line.hasPrefix("[[") {
                table = String(line.dropFirst(2).prefix { $0 != "]" }).trimmingSpaces
                index = counts[table, default: 0]
                counts[table] = index + 1
                headers.append((table, index, number + 1))
            } else if line.hasPrefix("[") {
                table = String(line.dropFirst().prefix { $0 != "]" }).trimmingSpaces
                index = 0
                headers.append((table, 0, number + 1))
            } else if let equals = line.firstIndex(of: "="), !line.hasPrefix("#") {
                var key = String(line[..<equals]).trimmingSpaces
                if key.hasPrefix("\""), key.hasSuffix("\""), key.count >= 2 { key = String(key.dropFirst().dropLast()) }
                keys.append(KeyLine(table: table, index: index, key: key, line: number + 1))
            }
        }
    }

    /// The line of `key` in `table` (entry `index` of an array of tables); "" is the top level.
    public func line(of key: String, table: String = "", index: Int = 0) -> Int? {
        keys.first { $0.table == table && $0.index == index && $0.key == key }?.line
    }

    /// The line of a table's header.
    public func header(_ table: String, index: Int = 0) -> Int? {
        headers.first { $0.table == table && $0.index == index }?.line
    }
}

extension String {
    var trimmingSpaces: String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" || last == "\r" { slice = slice.dropLast() }
        return String(slice)
    }
}
