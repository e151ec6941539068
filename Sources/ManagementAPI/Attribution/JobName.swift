/// The names a call's job can take besides one found for it (DESIGN.md section 12).
public enum JobName {
    /// Jobs counted per token at most; past it, `other`.
    public static let cap = 50
    /// A job's name at most, in characters; a longer one is cut and ends with `…`.
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
        let safe = UnsafeScalars.any(in: name) ? TextEscapes.cell(name) : name
        guard safe.count > maxLength else { return safe.isEmpty ? unknown : safe }
        return String(safe.prefix(maxLength - 1)) + "…"
    }
}
