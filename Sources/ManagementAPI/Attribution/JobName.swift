/// The names a call's job can take besides one found for it (DESIGN.md section 12).
public enum JobName {
    /// Jobs counted per token at most; past it, `other`.
    public static let cap = 50
    /// A job's name at most, in Unicode scalars (so a name of combining marks is cut too); a
    /// longer one is cut and ends with `…`.
    public static let maxLength = 48
    /// Nothing was learned about the caller.
    public static let unknown = "?"
    /// A job past the cap.
    public static let other = "other"
    /// mapitop's own probes.
    public static let probe = "probe"
}

import TextSafety

extension JobName {
    /// A name as kept: what a terminal or a file would act on escaped (`\e`, `\u{202E}`), cut to
    /// `maxLength` characters with `…`. A program may be named anything its author liked.
    public static func clean(_ name: String) -> String {
        // Cut first: escaping 10 000 characters to keep 48 of them would be work for nothing.
        let scalars = name.unicodeScalars
        let cut = scalars.count > maxLength ? String(String.UnicodeScalarView(scalars.prefix(maxLength * 2))) : name
        let safe = UnsafeScalars.any(in: cut) ? TextEscapes.cell(cut) : cut
        guard safe.unicodeScalars.count > maxLength else { return safe.isEmpty ? unknown : safe }
        return String(String.UnicodeScalarView(safe.unicodeScalars.prefix(maxLength - 1))) + "…"
    }

    /// At most `bytes` of `text`'s UTF-8, cut on a scalar boundary (never an invalid tail).
    public static func prefix(_ text: String, bytes: Int) -> String {
        guard text.utf8.count > bytes else { return text }
        var kept = String.UnicodeScalarView()
        var used = 0
        for scalar in text.unicodeScalars {
            used += UTF8.width(scalar)
            guard used <= bytes else { break }
            kept.append(scalar)
        }
        return String(kept)
    }
}
