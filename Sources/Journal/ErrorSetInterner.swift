import Foundation
import ManagementAPI

/// Gives each distinct `errors` array of a failed call an id in `error_sets`, so the hundred
/// bytes of a 429's or a 404's errors are stored once instead of once per call.
///
/// The cache is bounded by entries and skips large sets (hostile answers with kilobytes of
/// text rarely repeat, and would make the cache big): a set not cached is stored again, which
/// costs bytes, never correctness.
struct ErrorSetInterner {
    static let cacheEntries = 1_024
    static let cachedJSONBytes = 2_048

    private var cached: [[ErrorEntry]: Int64] = [:]
    private var nextID: Int64

    init(nextID: Int64) {
        self.nextID = nextID
    }

    /// A new id never reuses an old one, even one taken by a batch that failed.
    mutating func takeID() -> Int64 {
        defer { nextID += 1 }
        return nextID
    }

    func id(for errors: [ErrorEntry]) -> Int64? { cached[errors] }

    /// Remembers sets a committed batch wrote.
    mutating func remember(_ written: [[ErrorEntry]: (id: Int64, bytes: Int)]) {
        for (errors, set) in written where set.bytes <= Self.cachedJSONBytes {
            if cached.count >= Self.cacheEntries { cached.removeAll(keepingCapacity: true) }
            cached[errors] = set.id
        }
    }

    /// The ids a batch may reuse without writing its set again.
    var cachedIDs: [Int64] { Array(cached.values) }
}
