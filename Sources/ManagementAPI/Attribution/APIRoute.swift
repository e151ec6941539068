/// A call's route: its path with the ids replaced by the API's names for them
/// (`/v2/sites/{site_id}/media/{media_id}/`), so every call of one endpoint counts together
/// whatever it was called on (DESIGN.md section 12).
///
/// A segment is an id where the API's route shapes (`APIRouteShapes`) say so. Off the table,
/// a segment that follows a collection and is not a word the API uses is an id named after
/// its collection (`/v2/gizmos/{gizmo_id}/`), and a segment that is not a word at all
/// (capitals, more than two digits, anything but `a-z`, `0-9` and `_`) is `{id}`. So an endpoint the table does
/// not know still folds its ids instead of making one route per call, and a route holds only
/// the table's words, lower-case words and braces: never a hostile byte from a path.
public enum APIRoute {
    /// Routes counted at most (per token in the monitor, per recorder in the journal); past
    /// it, `other`.
    public static let cap = 200
    /// What a call past the cap (or with no path, like a bucket from before routes) is counted as.
    public static let other = "other"
    /// Segments read at most: a longer path's route ends with `…`.
    static let maxSegments = 12

    /// The route of `path` (without its query string).
    public static func of(path: String) -> String {
        guard path.hasPrefix("/") else { return other }
        let segments = path.split(separator: "/")
        var named: [Substring] = []
        named.reserveCapacity(min(segments.count, maxSegments))
        var node: APIRouteShapes.Node? = APIRouteShapes.root
        // The collection the next unknown segment follows, if it follows one.
        var collection: Substring?
        for segment in segments.prefix(maxSegments) {
            if let current = node {
                if let next = current.words[segment] {
                    named.append(segment)
                    node = next
                    collection = next.id != nil || next.isCollection ? segment : nil
                    continue
                }
                if let id = current.id {
                    named.append(id.braced)
                    node = id.node
                    collection = nil
                    continue
                }
                node = nil
            }
            if isWord(segment), collection == nil || APIRouteShapes.words.contains(segment) {
                named.append(segment)
                // A version (`v3`) leads to collections; it is not one.
                collection = isVersion(segment) ? nil : segment
            } else {
                named.append("{" + idName(after: collection) + "}")
                collection = nil
            }
        }
        if named.isEmpty { return "/" }
        let cut = segments.count > maxSegments
        return "/" + named.joined(separator: "/") + (cut ? "/…" : path.hasSuffix("/") ? "/" : "")
    }

    /// Whether `text` could be a route `of(path:)` made: `other`, or `/` and then words (the
    /// table's own hold digits: `v2`), braced names and slashes, at most `maxLength` bytes. A route read from elsewhere (a
    /// recorder's line) is kept only then, so it never carries a control into a terminal.
    public static func isWellFormed(_ text: String) -> Bool {
        if text == other { return true }
        guard text.hasPrefix("/"), text.utf8.count <= maxLength else { return false }
        return text.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "/" || scalar == "{" || scalar == "}" || scalar == "…"
        }
    }

    /// The longest route `of(path:)` makes: 12 segments of at most 45 bytes (`{`, a 40-byte
    /// word, `_id}`) with their slashes, and `/…`.
    public static let maxLength = 12 * 46 + 4

    /// The id's name after collection `word`: `gizmos` → `gizmo_id`, `entries` → `entry_id`;
    /// `id` when it follows no collection.
    static func idName(after word: Substring?) -> String {
        guard let word else { return "id" }
        if word.hasSuffix("ies") { return word.dropLast(3) + "y_id" }
        if word.hasSuffix("s"), !word.hasSuffix("ss") { return word.dropLast() + "_id" }
        return word + "_id"
    }

    /// `v` and digits: an API version.
    static func isVersion(_ text: Substring) -> Bool {
        text.count >= 2 && text.first == "v" && text.dropFirst().allSatisfy(\.isASCII) && text.dropFirst().allSatisfy(\.isNumber)
    }

    /// A word as the API spells them (`media`, `text_tracks`, `v2`): a lower-case letter, then
    /// lower-case letters, underscores and at most two digits, 40 bytes at most. More digits
    /// (`abc12345`) is an id's shape.
    static func isWord(_ text: Substring) -> Bool {
        guard let first = text.utf8.first, first >= 0x61, first <= 0x7A, text.utf8.count <= 40 else { return false }
        var digits = 0
        for byte in text.utf8 {
            if byte >= 0x30, byte <= 0x39 {
                digits += 1
            } else if !((byte >= 0x61 && byte <= 0x7A) || byte == 0x5F) {
                return false
            }
        }
        return digits <= 2
    }
}
