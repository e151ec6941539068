/// The routes of DESIGN.md section 1, parsed from a path. Trailing slashes are optional:
/// the simulator never redirects.
enum Route: Equatable {
    case mediaList(site: String)
    case media(site: String, id: String)
    case mediaReupload(site: String, id: String)
    case webhookList
    case webhook(id: String)
    case playlistList(site: String)
    /// `POST …/playlists/{type}/` creates; GET and DELETE address a playlist by id.
    case playlistItem(site: String, idOrType: String)

    var allowedMethods: Set<String> {
        switch self {
        case .mediaList, .webhookList: ["GET", "POST"]
        case .media, .webhook: ["GET", "PATCH", "DELETE"]
        case .mediaReupload: ["PUT"]
        case .playlistList: ["GET"]
        case .playlistItem: ["GET", "POST", "DELETE"]
        }
    }

    /// nil for a path no route serves (a 404).
    init?(path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard parts.first == "v2", parts.count >= 2 else { return nil }
        switch Array(parts.dropFirst()) {
        case ["webhooks"]: self = .webhookList
        case let p where p.count == 2 && p[0] == "webhooks": self = .webhook(id: p[1])
        case let p where p.count >= 3 && p[0] == "sites":
            let site = p[1]
            guard Self.isSiteID(site) else { return nil }
            switch Array(p.dropFirst(2)) {
            case ["media"]: self = .mediaList(site: site)
            case let r where r.count == 2 && r[0] == "media": self = .media(site: site, id: r[1])
            case let r where r.count == 3 && r[0] == "media" && r[2] == "reupload": self = .mediaReupload(site: site, id: r[1])
            case ["playlists"]: self = .playlistList(site: site)
            case let r where r.count == 2 && r[0] == "playlists": self = .playlistItem(site: site, idOrType: r[1])
            default: return nil
            }
        default: return nil
        }
    }

    static func isSiteID(_ id: String) -> Bool {
        id.utf8.count == 8 && id.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }
}
