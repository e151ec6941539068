import Foundation

/// Serves one routed request against a copy of the store; the caller keeps the copy.
struct RouteContext {
    let request: SimulatedRequest
    let now: Date
    var store: Store
    var rng: SplitMix64

    static let uploadMethods = ["direct", "fetch", "external", "multipart"]
    static let playlistTypes: Set<String> = [
        "manual_playlist", "dynamic_playlist", "trending_playlist", "article_matching_playlist",
        "search_playlist", "recommendations_playlist", "watchlist_playlist",
    ]

    mutating func handle(_ route: Route) -> SimulatedResponse {
        do {
            return try dispatch(route)
        } catch {
            return SimulatedResponse(status: 400, errors: error.errors)
        }
    }

    private mutating func dispatch(_ route: Route) throws(FieldErrorList) -> SimulatedResponse {
        switch (route, request.method) {
        case (.mediaList(let site), "GET"): return try listMedia(site)
        case (.mediaList(let site), "POST"): return try createMedia(site)
        case (.media(let site, let id), "GET"):
            return store.mediaOfSite(site, now: now).first { $0.id == id }.map { SimulatedResponse(status: 200, json: $0.json()) }
                ?? .standardError(404)
        case (.media(let site, let id), "PATCH"): return try patchMedia(site, id)
        case (.media(let site, let id), "DELETE"):
            return store.deleteMedia(site: site, id: id, now: now) ? .noContent() : .standardError(404)
        case (.mediaReupload(let site, let id), _): return try reupload(site, id)
        case (.webhookList, "GET"): return try list("webhooks", store.webhooks) { $0.json() }
        case (.webhookList, "POST"): return try createWebhook()
        case (.webhook(let id), "GET"):
            return store.webhooks.first { $0.id == id }.map { SimulatedResponse(status: 200, json: $0.json()) } ?? .standardError(404)
        case (.webhook(let id), "PATCH"): return try patchWebhook(id)
        case (.webhook(let id), "DELETE"): return store.deleteWebhook(id: id) ? .noContent() : .standardError(404)
        case (.playlistList(let site), _): return try list("playlists", store.playlists[site, default: []]) { $0.json() }
        case (.playlistItem(let site, let type), "POST"): return try createPlaylist(site, type)
        case (.playlistItem(let site, let id), "GET"):
            return store.playlists[site]?.first { $0.id == id }.map { SimulatedResponse(status: 200, json: $0.json()) }
                ?? .standardError(404)
        case (.playlistItem(let site, let id), _):
            return store.deletePlaylist(site: site, id: id) ? .noContent() : .standardError(404)
        default: return .standardError(405)
        }
    }

    // MARK: Lists

    /// One page of `items`; only the page's items become JSON (a list of hundreds answered a
    /// page at a time would otherwise build every item's JSON on every call).
    private func list<Item>(_ key: String, _ items: [Item], json: (Item) -> [String: Any]) throws(FieldErrorList) -> SimulatedResponse {
        var validator = Validator()
        let paging = validator.paging(request.query)
        try validator.check()
        let start = min(items.count, (paging.page - 1) * paging.pageLength)
        let end = min(items.count, start + paging.pageLength)
        return SimulatedResponse(status: 200, json: [
            key: items[start..<end].map(json), "page": paging.page, "page_length": paging.pageLength, "total": items.count,
        ])
    }

    private mutating func listMedia(_ site: String) throws(FieldErrorList) -> SimulatedResponse {
        var items = store.mediaOfSite(site, now: now)
        if let query = request.query["q"], !query.isEmpty {
            items = items.filter { (($0.metadata["title"] as? String) ?? "").localizedCaseInsensitiveContains(query) }
        }
        if request.query["sort"] == "created:dsc" { items.reverse() }
        return try list("media", items) { $0.json() }
    }

    // MARK: Bodies

    /// The body as a JSON object, or the 400 that says why it is not one.
    private func bodyObject() throws(FieldErrorList) -> [String: Any] {
        guard let value = JSON.decode(request.body) else {
            let preview = String(decoding: request.body.prefix(40), as: UTF8.self)
            throw FieldErrorList([.invalidFormat("body", "be parsed as JSON", preview)])
        }
        guard let object = value as? [String: Any] else {
            throw FieldErrorList([.invalidType("body", "object", JSON.quote(value))])
        }
        return object
    }

    /// Validates the `metadata` members media share between create and patch.
    private func mediaMetadata(_ metadata: [String: Any], _ validator: inout Validator) -> [String: any Sendable] {
        var result: [String: any Sendable] = [:]
        if let value = metadata["title"], let title = validator.string(value, "metadata.title", maxLength: 255) {
            result["title"] = title
        }
        if let value = metadata["description"],
            let description = validator.string(value, "metadata.description", nonEmpty: false, maxLength: 10_000)
        {
            result["description"] = description
        }
        if let value = metadata["tags"], let tags = validator.strings(value, "metadata.tags") { result["tags"] = tags }
        if let value = metadata["publish_start_date"] {
            if let text = validator.string(value, "metadata.publish_start_date") {
                if ISO8601.parse(text) == nil {
                    validator.add(.invalidFormat("metadata.publish_start_date", "be parsed as an ISO 8601 date", text))
                } else {
                    result["publish_start_date"] = text
                }
            }
        }
        return result
    }

    /// Validates `upload`; returns the method when it is usable.
    private func upload(_ value: Any?, _ validator: inout Validator) -> String? {
        guard let upload = validator.object(value, "upload", required: true) else { return nil }
        let method = validator.string(upload["method"], "upload.method", required: true)
        if let method, !Self.uploadMethods.contains(method) {
            validator.add(.invalidFormat("upload.method", "be other than direct, fetch, external or multipart", method))
            return nil
        }
        let url = upload["download_url"]
        switch method {
        case "direct", "multipart":
            if let url { validator.add(.notAllowed("upload.download_url", with: "upload.method", JSON.quote(url))) }
        case "fetch", "external":
            _ = validator.string(url, "upload.download_url", required: true)
        default: break
        }
        return method
    }

    // MARK: Media

    private mutating func createMedia(_ site: String) throws(FieldErrorList) -> SimulatedResponse {
        let body = try bodyObject()
        var validator = Validator()
        let method = upload(body["upload"], &validator)
        let metadata = validator.object(body["metadata"], "metadata", required: false).map { mediaMetadata($0, &validator) } ?? [:]
        try validator.check()
        guard let method else { return .standardError(500) }
        let item = MediaItem(id: rng.alphanumericID(), created: now, lastModified: now, metadata: metadata, external: method == "external")
        store.insertMedia(item, site: site, now: now)
        return SimulatedResponse(status: 201, json: item.json())
    }

    private mutating func patchMedia(_ site: String, _ id: String) throws(FieldErrorList) -> SimulatedResponse {
        guard store.mediaOfSite(site, now: now).contains(where: { $0.id == id }) else { return .standardError(404) }
        let body = try bodyObject()
        var validator = Validator()
        let changes = validator.object(body["metadata"], "metadata", required: true).map { mediaMetadata($0, &validator) }
        try validator.check()
        guard let changes else { return .standardError(500) }
        let now = self.now
        let item = store.updateMedia(site: site, id: id, now: now) { item in
            item.metadata.merge(changes) { $1 }
            item.lastModified = now
        }
        return item.map { SimulatedResponse(status: 200, json: $0.json()) } ?? .standardError(404)
    }

    private mutating func reupload(_ site: String, _ id: String) throws(FieldErrorList) -> SimulatedResponse {
        guard let item = store.mediaOfSite(site, now: now).first(where: { $0.id == id }) else { return .standardError(404) }
        let body = try bodyObject()
        var validator = Validator()
        _ = upload(body["upload"], &validator)
        try validator.check()
        // Media hosted elsewhere has nothing here to replace.
        guard !item.external else { return .standardError(422) }
        let now = self.now
        let updated = store.updateMedia(site: site, id: id, now: now) { $0.lastModified = now }
        return updated.map { SimulatedResponse(status: 200, json: $0.json()) } ?? .standardError(404)
    }

    // MARK: Webhooks

    private func webhookFields(_ metadata: [String: Any], creating: Bool, _ validator: inout Validator)
        -> (name: String?, url: String?, events: [String]?, sites: [String]?)
    {
        let name = validator.string(metadata["name"], "metadata.name", required: creating, minLength: 3, maxLength: 255)
        var url = validator.string(metadata["webhook_url"], "metadata.webhook_url", required: creating)
        if let given = url, !(given.hasPrefix("https://") || given.hasPrefix("http://")) {
            validator.add(.invalidFormat("metadata.webhook_url", "be anything but an http or https URL", given))
            url = nil
        }
        let events = validator.strings(metadata["events"], "metadata.events", required: creating, nonEmpty: true)
        var sites = validator.strings(metadata["site_ids"], "metadata.site_ids")
        if let bad = sites?.first(where: { !Route.isSiteID($0) }) {
            validator.add(.invalidFormat("metadata.site_ids", "be anything but 8 letters or digits", bad))
            sites = nil
        }
        return (name, url, events, sites)
    }

    private mutating func createWebhook() throws(FieldErrorList) -> SimulatedResponse {
        let body = try bodyObject()
        var validator = Validator()
        let metadata = validator.object(body["metadata"], "metadata", required: true)
        try validator.check()
        let fields = webhookFields(metadata ?? [:], creating: true, &validator)
        if store.webhooks.count >= Store.webhookLimit {
            validator.add(.resourceExhausted("create", "webhooks", String(store.webhooks.count + 1)))
        }
        try validator.check()
        guard let name = fields.name, let url = fields.url, let events = fields.events else { return .standardError(500) }
        if store.webhooks.contains(where: { $0.name == name }) { return .standardError(409) }
        let hook = Webhook(id: rng.alphanumericID(length: 12), created: now, name: name, url: url, events: events,
                           siteIDs: fields.sites ?? [])
        store.insertWebhook(hook)
        return SimulatedResponse(status: 201, json: hook.json())
    }

    private mutating func patchWebhook(_ id: String) throws(FieldErrorList) -> SimulatedResponse {
        guard store.webhooks.contains(where: { $0.id == id }) else { return .standardError(404) }
        let body = try bodyObject()
        var validator = Validator()
        let metadata = validator.object(body["metadata"], "metadata", required: true)
        try validator.check()
        let fields = webhookFields(metadata ?? [:], creating: false, &validator)
        try validator.check()
        if let name = fields.name, store.webhooks.contains(where: { $0.name == name && $0.id != id }) {
            return .standardError(409)
        }
        let hook = store.updateWebhook(id: id) { hook in
            if let name = fields.name { hook.name = name }
            if let url = fields.url { hook.url = url }
            if let events = fields.events { hook.events = events }
            if let sites = fields.sites { hook.siteIDs = sites }
        }
        return hook.map { SimulatedResponse(status: 200, json: $0.json()) } ?? .standardError(404)
    }

    // MARK: Playlists

    private mutating func createPlaylist(_ site: String, _ type: String) throws(FieldErrorList) -> SimulatedResponse {
        guard Self.playlistTypes.contains(type) else { return .standardError(404) }
        let body = try bodyObject()
        var validator = Validator()
        let metadata = validator.object(body["metadata"], "metadata", required: true)
        let title = metadata.flatMap { validator.string($0["title"], "metadata.title", required: true, maxLength: 255) }
        try validator.check()
        guard let title else { return .standardError(500) }
        let playlist = Playlist(id: rng.alphanumericID(), type: type, created: now, title: title)
        store.insertPlaylist(playlist, site: site)
        return SimulatedResponse(status: 201, json: playlist.json())
    }
}

/// A non-empty list of field errors, as the failure of a body check.
struct FieldErrorList: Error {
    let errors: [FieldError]
    init(_ errors: [FieldError]) { self.errors = errors }
}
