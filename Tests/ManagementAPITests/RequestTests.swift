import ManagementAPI
import Testing

@Suite("Building requests")
struct RequestTests {
    @Test("path templates fill in and escape their parameters")
    func templates() throws {
        #expect(try APIRequest.listMedia(siteID: "Abcd1234").resolvedPath() == "/v2/sites/Abcd1234/media/")
        let get = APIRequest.getMedia(siteID: "Abcd1234", mediaID: "a b/../c")
        #expect(try get.resolvedPath() == "/v2/sites/Abcd1234/media/a%20b%2F..%2Fc/")
        let invalid = #expect(throws: APIRequest.BuildError.self) {
            try APIRequest.listMedia(siteID: "Abcd/234").resolvedPath()
        }
        #expect(invalid?.description == "site id must be 8 letters or digits; the value given has 8 characters, including punctuation or symbols")
        #expect(throws: APIRequest.BuildError.missingParameter("media_id")) {
            try APIRequest(method: "GET", path: "/v2/sites/{site_id}/media/{media_id}/", parameters: ["site_id": "Abcd1234"]).resolvedPath()
        }
    }

    @Test("a bad site id is described by its length and the kinds of characters that do not belong",
          arguments: [
              ("Abcd123", "has 7 characters"),
              ("Abcd 234", "has 8 characters, including spaces"),
              ("Abcd\u{1B}234", "has 8 characters, including control characters"),
              ("Abcdé234", "has 8 characters, including non-ASCII characters"),
              ("a-b c\u{7}", "has 6 characters, including spaces and control characters and punctuation or symbols"),
          ])
    func siteIDProblems(id: String, expected: String) {
        #expect(APIRequest.SiteIDProblem(id)?.description == "must be 8 letters or digits; the value given " + expected)
        #expect(APIRequest.SiteIDProblem("Abcd1234") == nil)
    }

    @Test("queries are encoded and URLs built against a base with or without a slash")
    func urls() throws {
        let request = APIRequest(method: "GET", path: "/v2/webhooks/",
                                 query: [.init("q", "a&b=c d"), .init("sort", "created:dsc")])
        #expect(request.encodedQuery == "q=a%26b%3Dc%20d&sort=created%3Adsc")
        #expect(try APIRequest.listWebhooks(pageLength: 1).url(base: "https://api.jwplayer.com/")
            == "https://api.jwplayer.com/v2/webhooks/?page=1&page_length=1")
        #expect(throws: APIRequest.BuildError.self) { try request.url(base: "ftp://x") }
        #expect(throws: APIRequest.BuildError.self) { try request.url(base: "http://") }
    }

    @Test("an explicit probe path keeps its query")
    func explicitProbe() throws {
        let request = APIRequest.get(pathAndQuery: "/v2/webhooks/?page_length=1&q=a%20b")
        #expect(request.pathTemplate == "/v2/webhooks/")
        #expect(request.query == [.init("page_length", "1"), .init("q", "a b")])
        #expect(APIRequest.get(pathAndQuery: "/v2/webhooks/").query.isEmpty)
    }

    @Test("JSON bodies are deterministic")
    func jsonBodies() throws {
        struct Body: Encodable { let b = 1; let a = "x/y" }
        #expect(String(decoding: try APIRequest.jsonBody(Body()), as: UTF8.self) == "{\"a\":\"x/y\",\"b\":1}")
    }
}
