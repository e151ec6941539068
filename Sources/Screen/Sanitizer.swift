import TextSafety

/// The one gate for text from outside on its way to a cell: `Frame` runs every write through
/// it. The table and its escapes are TextSafety's (`TextEscapes.cell`), shared with every
/// other output.
public enum Sanitizer {
    public static func clean(_ text: String) -> String { TextEscapes.cell(text) }
}
