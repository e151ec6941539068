import Foundation
import GRDB

/// Gives each job and route name an id in `names`, so a row holds a small integer instead of
/// its text. The names are few (the recorder caps jobs per token and routes), so all of them
/// are cached; past `cacheEntries` (a journal written by many recorders' worth of names) a
/// name not cached is stored again, which costs bytes, never correctness.
struct NameInterner {
    static let cacheEntries = 65_536

    private var cached: [String: Int64] = [:]
    private var nextID: Int64

    init(stored: [(id: Int64, text: String)]) {
        var highest: Int64 = 0
        for (id, text) in stored {
            highest = max(highest, id)
            if cached.count < Self.cacheEntries, cached[text] == nil { cached[text] = id }
        }
        nextID = highest + 1
    }

    static func load(_ db: Database) throws -> NameInterner {
        NameInterner(stored: try Row.fetchAll(db, sql: "SELECT id, text FROM names").map { ($0["id"], $0["text"]) })
    }

    /// The id of `name`, and whether it is new (its row must be written with the batch). A
    /// new id never reuses an old one, even one taken by a batch that failed.
    mutating func id(for name: String, pending: inout [String: Int64]) -> Int64 {
        if let id = cached[name] ?? pending[name] { return id }
        defer { nextID += 1 }
        pending[name] = nextID
        return nextID
    }

    /// Remembers the names a committed batch wrote.
    mutating func remember(_ written: [String: Int64]) {
        for (name, id) in written where cached.count < Self.cacheEntries { cached[name] = id }
    }

    /// After the file was recreated: nothing is cached any more (the new file has no names).
    mutating func forget(keepingIDsAbove highest: Int64) {
        cached.removeAll()
        nextID = max(nextID, highest + 1)
    }
}
