/// A count in at most four characters, as htop and k9s shorten theirs: `9999`, `390k`,
/// `3.9M`, `390M`, `1.2G`. A column cut to its width would show `390…` for 390 000 and say
/// nothing; a shortened figure keeps its size readable in every column.
public enum CompactCount {
    public static func text(_ count: Int) -> String {
        guard count < 0 || count >= 10_000 else { return String(count) }
        if count < 0 { return "-" + text(-count) }
        let units: [(Int, String)] = [(1_000_000_000, "G"), (1_000_000, "M"), (1_000, "k")]
        for (size, unit) in units where count >= size {
            let whole = count / size
            if whole >= 1_000 { continue }
            // One decimal while it fits in four characters (3.9M), never rounded up past the count.
            if whole < 10 {
                let tenths = (count % size) / (size / 10)
                return "\(whole).\(tenths)\(unit)"
            }
            return "\(whole)\(unit)"
        }
        return "\(count / 1_000_000_000)G"
    }
}
