/// The formats `mapitop export` writes (DESIGN.md section 10).
public enum ExportFormat: String, Sendable, CaseIterable {
    /// One call or bucket a line, the admin server's JSON with the request body added.
    case jsonl
    /// RFC 4180, a header row, one call or bucket a row.
    case csv
    /// HAR 1.2: failed calls as entries, for browser and proxy tools.
    case har

    /// A writer for this format; `apiBase` makes a call's path a full URL.
    public func writer(apiBase: String) -> any ExportWriter {
        switch self {
        case .jsonl: JSONLinesExport()
        case .csv: CSVExport()
        case .har: HARExport(apiBase: apiBase)
        }
    }
}

/// Turns journaled calls and buckets into one document, a piece at a time, so an export of
/// a week streams instead of being held whole. `begin`, then `write` per event in time order,
/// then `end`; what each returns goes to the output as it is. An empty range is still a
/// whole, valid document.
public protocol ExportWriter: Sendable {
    mutating func begin() -> String
    mutating func write(_ event: ExportedEvent) -> String
    mutating func end() -> String
}
