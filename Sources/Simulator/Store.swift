import Foundation

struct MediaItem: Sendable {
    let id: String
    let created: Date
    var lastModified: Date
    var metadata: [String: any Sendable]
    /// Created with `upload.method = external`: hosted elsewhere, so it cannot be re-uploaded.
    let external: Bool

    func json() -> [String: Any] {
        [
            "id": id, "type": "media", "status": "ready", "external": external,
            "created": ISO8601.string(created), "last_modified": ISO8601.string(lastModified),
            "metadata": metadata as [String: Any],
        ]
    }
}

struct Webhook: Sendable {
    let id: String
    let created: Date
    var name: String
    var url: String
    var events: [String]
    var siteIDs: [String]

    func json() -> [String: Any] {
        [
            "id": id, "type": "webhook", "created": ISO8601.string(created),
            "metadata": ["name": name, "webhook_url": url, "events": events, "site_ids": siteIDs] as [String: Any],
        ]
    }
}

struct Playlist: Sendable {
    let id: String
    let type: String
    let created: Date
    var title: String

    func json() -> [String: Any] {
        ["id": id, "type": type, "created": ISO8601.string(created), "metadata": ["title": title]]
    }
}

/// The simulated account: media and playlists per site, webhooks account-wide. Sites come
/// into being on first use with a few media items derived from the seed and the site id.
struct Store: Sendable {
    static let webhookLimit = 10

    private let seed: UInt64
    private(set) var media: [String: [MediaItem]] = [:]
    private(set) var playlists: [String: [Playlist]] = [:]
    private(set) var webhooks: [Webhook] = []

    init(seed: UInt64) {
        self.seed = seed
    }

    mutating func mediaOfSite(_ site: String, now: Date) -> [MediaItem] {
        if let items = media[site] { return items }
        var rng = SplitMix64(seed: seed ^ SplitMix64.stableHash(site))
        let count = 3 + Int(rng.next() % 25)
        let items = (0..<count).map { index in
            let created = now.addingTimeInterval(-Double(86_400 * (count - index)))
            return MediaItem(id: rng.alphanumericID(), created: created, lastModified: created,
                             metadata: ["title": "Sample video \(index + 1)", "tags": [String]()], external: index % 7 == 3)
        }
        media[site] = items
        return items
    }

    mutating func insertMedia(_ item: MediaItem, site: String, now: Date) {
        _ = mediaOfSite(site, now: now)
        media[site, default: []].append(item)
    }

    mutating func updateMedia(site: String, id: String, now: Date, _ change: (inout MediaItem) -> Void) -> MediaItem? {
        guard let index = mediaOfSite(site, now: now).firstIndex(where: { $0.id == id }) else { return nil }
        change(&media[site]![index])
        return media[site]![index]
    }

    mutating func deleteMedia(site: String, id: String, now: Date) -> Bool {
        guard let index = mediaOfSite(site, now: now).firstIndex(where: { $0.id == id }) else { return false }
        media[site]!.remove(at: index)
        return true
    }

    mutating func insertWebhook(_ hook: Webhook) { webhooks.append(hook) }

    mutating func updateWebhook(id: String, _ change: (inout Webhook) -> Void) -> Webhook? {
        guard let index = webhooks.firstIndex(where: { $0.id == id }) else { return nil }
        change(&webhooks[index])
        return webhooks[index]
    }

    mutating func deleteWebhook(id: String) -> Bool {
        guard let index = webhooks.firstIndex(where: { $0.id == id }) else { return false }
        webhooks.remove(at: index)
        return true
    }

    mutating func insertPlaylist(_ playlist: Playlist, site: String) { playlists[site, default: []].append(playlist) }

    mutating func deletePlaylist(site: String, id: String) -> Bool {
        guard let index = playlists[site]?.firstIndex(where: { $0.id == id }) else { return false }
        playlists[site]!.remove(at: index)
        return true
    }
}

enum ISO8601 {
    /// E.g. `2027-01-15T08:00:00Z`.
    static func string(_ date: Date) -> String { date.formatted(.iso8601) }

    static func parse(_ text: String) -> Date? { try? Date.ISO8601FormatStyle().parse(text) }
}
