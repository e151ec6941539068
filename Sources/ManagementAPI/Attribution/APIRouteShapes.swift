/// The API's route shapes, as a tree of its words: each node knows the words that may follow
/// it and, when an id may, the API's name for that id. Written from the API reference's
/// resources (sites; media and their renditions, text and audio tracks, originals and
/// thumbnails; webhooks, playlists, channels, thumbnails, analytics queries, imports,
/// players, protection rules); anything else is named by `APIRoute`'s rule for unknown
/// segments.
enum APIRouteShapes {
    final class Node: Sendable {
        let words: [Substring: Node]
        let id: ID?
        /// A collection whose ids the table does not name (`queries`): an unknown segment
        /// after it is still an id.
        let isCollection: Bool

        init(_ words: [Substring: Node] = [:], id: ID? = nil, isCollection: Bool = false) {
            self.words = words
            self.id = id
            self.isCollection = isCollection
        }
    }

    struct ID: Sendable {
        let braced: Substring
        let node: Node
    }

    /// A collection: `{idName}` may follow it, and `children` may follow the id; `words` are
    /// the words that may follow the collection itself instead of an id.
    private static func collection(_ idName: String, _ children: [Substring: Node] = [:], words: [Substring: Node] = [:]) -> Node {
        Node(words, id: ID(braced: Substring("{\(idName)}"), node: Node(children)))
    }

    private static let playlistKinds: [Substring: Node] = Dictionary(
        uniqueKeysWithValues: [
            "manual_playlist", "dynamic_playlist", "trending_playlist", "article_matching_playlist", "search_playlist",
            "recommendations_playlist", "watchlist_playlist", "feed_playlist",
        ].map { (Substring($0), Node()) })

    private static let site: [Substring: Node] = [
        "media": collection("media_id", [
            "media_renditions": collection("rendition_id"),
            "renditions": collection("rendition_id"),
            "text_tracks": collection("track_id"),
            "audio_tracks": collection("track_id"),
            "originals": collection("original_id"),
            "thumbnails": collection("thumbnail_id"),
            "reupload": Node(),
        ]),
        "thumbnails": collection("thumbnail_id"),
        "playlists": collection("playlist_id", playlistKinds, words: playlistKinds),
        "channels": collection("channel_id", ["events": collection("event_id")]),
        "analytics": Node(["queries": Node(isCollection: true)]),
        "imports": collection("import_id"),
        "players": collection("player_id"),
        "player_bidding_configs": collection("config_id"),
        "advertising": Node(["schedules": collection("ad_schedule_id")]),
        "protection_rules": collection("protection_rule_id"),
        "media_protection_rules": collection("protection_rule_id"),
        "drm_policies": collection("drm_policy_id"),
        "app_configs": collection("app_config_id"),
        "data_tracks": collection("data_track_id"),
    ]

    static let root = Node([
        "v2": Node([
            "sites": collection("site_id", site),
            "webhooks": collection("webhook_id"),
            "api_keys": collection("api_key_id"),
        ])
    ])

    /// Every word of the table: off the table, a known word is never taken for an id.
    static let words: Set<Substring> = {
        var found = Set<Substring>()
        func visit(_ node: Node) {
            for (word, next) in node.words {
                found.insert(word)
                visit(next)
            }
            if let id = node.id { visit(id.node) }
        }
        visit(root)
        return found
    }()
}
