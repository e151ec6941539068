import CNcurses

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The width libc's `wcwidth` gives one scalar in a UTF-8 locale: the number ncurses lays
/// text out with, so the frame measures with it too. The locale is made once and used for
/// this thread only while asking, so the answer does not depend on what the process's
/// locale happens to be at that moment (tests run in "C", where every non-ASCII scalar
/// would be unprintable).
enum LibcWidth {
    /// A locale object is immutable once made; `uselocale` only reads it.
    private struct UTF8Locale: @unchecked Sendable {
        let handle: locale_t
    }

    /// The user's own locale (LC_ALL, LC_CTYPE, LANG) when it is UTF-8: that is the one
    /// ncurses lays text out with after `setlocale(LC_ALL, "")`, and glibc versions differ
    /// in their width tables. Otherwise a UTF-8 locale libc has (ncurses then shows '?' for
    /// every non-ASCII column, see NcursesTerminal, so only the frame's measure matters).
    private static let locale: UTF8Locale? = {
        for name in ["", "C.UTF-8", "C.utf8", "en_US.UTF-8"] {
            guard let handle = newlocale(LC_CTYPE_MASK, name, nil) else { continue }
            let codeset = String(cString: nl_langinfo_l(nl_item(CODESET), handle)).uppercased()
            if codeset == "UTF-8" || codeset == "UTF8" { return UTF8Locale(handle: handle) }
            freelocale(handle)
        }
        return nil
    }()

    /// 0, 1 or 2 columns, or -1 for what libc cannot print; nil without a UTF-8 locale.
    static func of(_ scalar: Unicode.Scalar) -> Int? {
        let value = scalar.value
        if common.range.contains(value), let widths = common.widths { return Int(widths[Int(value - common.range.lowerBound)]) }
        return ask(value)
    }

    /// U+2000–U+27FF (punctuation, arrows, box drawing, blocks, shapes): the glyphs of every
    /// frame's bars, borders, sparklines and tree, thousands per frame. Asked of libc once,
    /// since switching the thread's locale twice per glyph was a sixth of a frame's time.
    private static let common: (range: Range<UInt32>, widths: [Int8]?) = {
        let range: Range<UInt32> = 0x2000..<0x2800
        guard locale != nil else { return (range, nil) }
        return (range, range.map { Int8(ask($0) ?? -1) })
    }()

    private static func ask(_ value: UInt32) -> Int? {
        guard let locale else { return nil }
        let previous = uselocale(locale.handle)
        defer { uselocale(previous) }
        return Int(mapitop_wcwidth(value))
    }
}
