import CNcurses

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The width libc's `wcwidth` gives one scalar in a UTF-8 locale: the number ncurses lays
/// text out with, so the frame measures with it too. The UTF-8 locale is made once and used
/// for this thread only while asking, so the answer does not depend on the process's locale
/// (tests run in "C", where every non-ASCII scalar would be unprintable).
enum LibcWidth {
    /// A locale object is immutable once made; `uselocale` only reads it.
    private struct UTF8Locale: @unchecked Sendable {
        let handle: locale_t
    }

    private static let locale: UTF8Locale? = {
        for name in ["C.UTF-8", "C.utf8", "en_US.UTF-8"] {
            if let handle = newlocale(LC_CTYPE_MASK, name, nil) { return UTF8Locale(handle: handle) }
        }
        return nil
    }()

    /// Whether libc has a UTF-8 locale to measure with; without one the frame falls back to
    /// Unicode's own tables.
    static var isAvailable: Bool { locale != nil }

    /// 0, 1 or 2 columns, or -1 for what libc cannot print; nil without a UTF-8 locale.
    static func of(_ scalar: Unicode.Scalar) -> Int? {
        guard let locale else { return nil }
        let previous = uselocale(locale.handle)
        defer { uselocale(previous) }
        return Int(mapitop_wcwidth(scalar.value))
    }
}
