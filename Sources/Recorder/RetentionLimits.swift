import Foundation
import Monitor

/// `--retain 7d` and `--max-size 1GiB`: the journal's two limits, parsed from the words a
/// person writes. A bad value is one line that says what would have been accepted.
public enum RetentionLimits {
    public static let defaultAge = "7d"
    public static let defaultSize = "1GiB"

    public struct ParseError: Error, CustomStringConvertible {
        public let description: String
    }

    /// A positive whole number of seconds (s), minutes (m), hours (h), days (d) or weeks (w).
    public static func age(_ text: String) throws(ParseError) -> TimeInterval {
        do {
            return try DurationText.seconds(text)
        } catch {
            throw ParseError(description: error.description)
        }
    }

    /// A positive size in bytes: a whole number with B, kB/KB, MB, GB, TB (powers of 1000) or
    /// KiB, MiB, GiB, TiB (powers of 1024); a bare number is bytes.
    public static func size(_ text: String) throws(ParseError) -> Int64 {
        let units: [String: Int64] = [
            "": 1, "b": 1, "kb": 1_000, "mb": 1_000_000, "gb": 1_000_000_000, "tb": 1_000_000_000_000,
            "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
        ]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        guard let multiplier = units[unit], let count = Int64(digits), count > 0 else {
            throw ParseError(description: "expected a size such as 1GiB, 500MiB or 10MB, got '\(text.prefix(40))'")
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { throw ParseError(description: "'\(text.prefix(40))' is too large") }
        return bytes
    }
}
