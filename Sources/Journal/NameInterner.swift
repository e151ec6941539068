import Foundation
import GRDB

/// Gives each job and route name an id in `names`, so a row holds a small integer instead of
/// its text. The names in use are few (the recorder caps jobs per token and routes), and the
/// cache holds the names used since the last retention pass (`keepOnlyUsed`), so a name no
/// longer called leaves the cache and then, once no row names it, the table. Past
/// `cacheEntries`, a name not cached is stored again, which costs bytes, never correctness.
struct NameInterner {
    static let cacheEntries = 65_536

    private var cached: [String: Int64] = [:]
    private var used: Set<String> = []
    private var nextID: Int64

    init(stored: [(id: Int64, text: String)], nextID: Int64) {
        for (id, text) in stored where cached.count < Self.cacheEntries && cached[text] == nil { cached[text] = id }
        self.nextID = nextID
    }

    /// The names of a file, at most `cacheEntries` of them cached.
    static func load(_ db: Database) throws -> NameInterner {
        let next = (try Int64.fetchOne(db, sql: "SELECT max(id) FROM names") ?? 0) + 1
        let stored = try Row.fetchAll(db, sql: "SELECT id, text FROM names LIMIT ?", arguments: [cacheEntries]).map { ($0["id"] as Int64, $0["text"] as String) }
        return NameInterner(stored: stored, nextID: next)
    }

    /// The id of `name`; a new one goes into `pending`, to be written with the batch. A new id
    /// never reuses an old one, even one taken by a batch that failed.
    mutating func id(for name: String, pending: inout [String: Int64]) -> Int64 {
        used.insert(name)
        if let id = cached[name] ?? pending[name] { return id }
        defer { nextID += 1 }
        pending[name] = nextID
        return nextID
    }

    /// Remembers the names a committed batch wrote.
    mutating func remember(_ written: [String: Int64]) {
        for (name, id) in written where cached.count < Self.cacheEntries { cached[name] = id }
    }

    /// The ids a batch may name without writing them: retention keeps them whatever refers to them.
    var cachedIDs: [Int64] { Array(cached.values) }

    /// After a retention pass: only the names used since the last one stay cached.
    mutating func keepOnlyUsed() {
        cached = cached.filter { used.contains($0.key) }
        used.removeAll(keepingCapacity: true)
    }
}
