import Foundation

/// The routes mapitop and its tests call (DESIGN.md section 1).
extension APIRequest {
    public static func listMedia(siteID: String, page: Int = 1, pageLength: Int = 10) -> APIRequest {
        APIRequest(method: "GET", path: "/v2/sites/{site_id}/media/", parameters: ["site_id": siteID],
                   query: [QueryItem("page", String(page)), QueryItem("page_length", String(pageLength))])
    }

    public static func getMedia(siteID: String, mediaID: String) -> APIRequest {
        APIRequest(method: "GET", path: "/v2/sites/{site_id}/media/{media_id}/",
                   parameters: ["site_id": siteID, "media_id": mediaID])
    }

    public static func createMedia(siteID: String, body: [UInt8]) -> APIRequest {
        APIRequest(method: "POST", path: "/v2/sites/{site_id}/media/", parameters: ["site_id": siteID], body: body)
    }

    public static func patchMedia(siteID: String, mediaID: String, body: [UInt8]) -> APIRequest {
        APIRequest(method: "PATCH", path: "/v2/sites/{site_id}/media/{media_id}/",
                   parameters: ["site_id": siteID, "media_id": mediaID], body: body)
    }

    public static func deleteMedia(siteID: String, mediaID: String) -> APIRequest {
        APIRequest(method: "DELETE", path: "/v2/sites/{site_id}/media/{media_id}/",
                   parameters: ["site_id": siteID, "media_id": mediaID])
    }

    public static func reuploadMedia(siteID: String, mediaID: String, body: [UInt8]) -> APIRequest {
        APIRequest(method: "PUT", path: "/v2/sites/{site_id}/media/{media_id}/reupload/",
                   parameters: ["site_id": siteID, "media_id": mediaID], body: body)
    }

    public static func listWebhooks(page: Int = 1, pageLength: Int = 10) -> APIRequest {
        APIRequest(method: "GET", path: "/v2/webhooks/",
                   query: [QueryItem("page", String(page)), QueryItem("page_length", String(pageLength))])
    }

    public static func createWebhook(body: [UInt8]) -> APIRequest {
        APIRequest(method: "POST", path: "/v2/webhooks/", body: body)
    }

    public static func deleteWebhook(webhookID: String) -> APIRequest {
        APIRequest(method: "DELETE", path: "/v2/webhooks/{webhook_id}/", parameters: ["webhook_id": webhookID])
    }

    public static func listPlaylists(siteID: String, page: Int = 1, pageLength: Int = 10) -> APIRequest {
        APIRequest(method: "GET", path: "/v2/sites/{site_id}/playlists/", parameters: ["site_id": siteID],
                   query: [QueryItem("page", String(page)), QueryItem("page_length", String(pageLength))])
    }

    public static func createPlaylist(siteID: String, type: String, body: [UInt8]) -> APIRequest {
        APIRequest(method: "POST", path: "/v2/sites/{site_id}/playlists/{type}/",
                   parameters: ["site_id": siteID, "type": type], body: body)
    }

    /// The cheap GET a probe makes: one media item of the token's site.
    public static func probe(siteID: String) -> APIRequest {
        listMedia(siteID: siteID, page: 1, pageLength: 1)
    }
}

extension APIRequest {
    /// A GET of an explicit path with its query, e.g. `/v2/webhooks/?page_length=1`
    /// (a token's own `probe` setting).
    public static func get(pathAndQuery: String) -> APIRequest {
        let parts = pathAndQuery.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let query: [QueryItem] = parts.count > 1
            ? parts[1].split(separator: "&").map { pair in
                let nameValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let decode = { (text: Substring) in String(text).removingPercentEncoding ?? String(text) }
                return QueryItem(decode(nameValue[0]), nameValue.count > 1 ? decode(nameValue[1]) : "")
            }
            : []
        return APIRequest(method: "GET", path: String(parts[0]), query: query)
    }
}
