import ConfigFile
import Screen

/// Text for the status line: one line, sanitized, bounded. Error messages (a TOML parser's
/// among them) may span lines or carry control characters; the bottom row must stay one row.
enum StatusText {
    static let maximumLength = 300

    static func oneLine(_ text: String) -> String {
        let words = text.split(whereSeparator: { $0.isNewline || $0 == "\t" || $0 == " " })
        let joined = words.joined(separator: " ")
        let clean = Sanitizer.clean(joined)
        return clean.count > maximumLength ? String(clean.prefix(maximumLength)) + "…" : clean
    }

    static func themeFailed(name: String, reason: String) -> String {
        oneLine("theme '\(name)' not loaded: \(reason)")
    }

    /// Why something failed, short enough for one row: a config error names its file
    /// without the folders (the theme's name already says which file it is).
    static func reason(_ error: any Error) -> String {
        guard let error = error as? ConfigError else { return String(describing: error) }
        let file = error.file.split(separator: "/").last.map(String.init) ?? error.file
        return ConfigError(file: file, line: error.line, key: error.key, message: error.message).description
    }
}
