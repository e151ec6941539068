import CNcurses

#if canImport(Glibc)
    import Glibc
#endif

/// What the terminal and locale offer, asked without taking over the screen.
public enum TerminalCapabilities {
    /// Colours terminfo reports for $TERM, or nil when it has no entry.
    public static func colors() -> Int? {
        var error: Int32 = 0
        guard setupterm(nil, 1, &error) == OK else { return nil }
        let count = "colors".withCString { tigetnum($0) }
        return count >= 0 ? Int(count) : 0
    }

    /// The locale's character set after `setlocale(LC_ALL, "")`, e.g. "UTF-8".
    public static func codeset() -> String {
        setlocale(LC_ALL, "")
        return String(cString: nl_langinfo(nl_item(CODESET)))
    }

    /// Whether the locale can show the block and box characters.
    public static func isUTF8() -> Bool {
        let set = codeset().uppercased()
        return set == "UTF-8" || set == "UTF8"
    }

    /// Monochrome when NO_COLOR is set to anything non-empty (no-color.org).
    public static func noColorRequested(environment: [String: String]) -> Bool {
        environment["NO_COLOR"].map { !$0.isEmpty } ?? false
    }
}
