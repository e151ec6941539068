/// What holding a value in memory costs, estimated from its strings: the byte budgets that
/// bound what a hostile or a flooding source can make mapitop hold (the monitor's ring, a
/// viewer's timeline, a page of history) all count with this one estimate.
public enum HeldBytes {
    /// Strings of up to 15 UTF-8 bytes live inline; longer ones in a block with a header.
    public static func of(_ text: String) -> Int {
        let count = text.utf8.count
        return count <= 15 ? 0 : 32 + (count + 15) / 16 * 16
    }
}

extension CallRecord {
    /// The heap its strings take beyond the record itself: method, path, request id and the
    /// errors with their details (a description can be a megabyte).
    public var heapBytes: Int {
        var total = HeldBytes.of(method) + HeldBytes.of(path) + HeldBytes.of(rate.requestID ?? "") + token.heapBytes
        if !errors.isEmpty { total += 32 + errors.count * MemoryLayout<ErrorEntry>.stride }
        for entry in errors {
            total += HeldBytes.of(entry.code) + HeldBytes.of(entry.description)
            if let detail = entry.detail {
                total += HeldBytes.of(detail.field) + HeldBytes.of(detail.constraint ?? "") + HeldBytes.of(detail.provided ?? "")
            }
        }
        return total
    }
}

extension TokenReference {
    /// Its fingerprint's hex and its label, when they do not live inline.
    public var heapBytes: Int { HeldBytes.of(fingerprint.hex) + HeldBytes.of(label ?? "") }
}
