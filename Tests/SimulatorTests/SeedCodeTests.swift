import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import Simulator

@Suite("Every code of the seed, with its wording")
struct SeedCodeTests {
    var app: some ApplicationProtocol { buildApplication(Fixture.configuration()) }
    let media = "/v2/sites/\(Fixture.site)/media/"

    /// (method, uri, body, expected codes in order)
    static let badRequests: [(String, String, String?, [String])] = [
        ("POST", "/v2/sites/Abcd1234/media/", #"{"metadata":{"title":"\#(String(repeating: "t", count: 256))","tags":"news"},"upload":{}}"#,
         ["required", "too_long", "invalid_type"]),
        ("POST", "/v2/sites/Abcd1234/media/", #"{"metadata":{"title":"","publish_start_date":"soon"},"upload":{"method":"direct","download_url":"https://x"}}"#,
         ["not_allowed", "empty", "invalid_format"]),
        ("POST", "/v2/webhooks/", #"{"metadata":{"name":"ab","webhook_url":"https://h.example","events":["a"]}}"#, ["too_short"]),
        ("GET", "/v2/sites/Abcd1234/media/?page_length=0", nil, ["too_low"]),
        ("GET", "/v2/sites/Abcd1234/media/?page_length=10001", nil, ["too_high"]),
        ("GET", "/v2/webhooks/?page=abc", nil, ["invalid_type"]),
        ("POST", "/v2/sites/Abcd1234/media/", "{title: oops", ["invalid_format"]),
        ("POST", "/v2/sites/Abcd1234/media/", "[1,2]", ["invalid_type"]),
    ]

    @Test("400s carry one entry per bad field", arguments: badRequests)
    func badRequest(method: String, uri: String, body: String?, codes: [String]) async throws {
        try await app.test(.router) { client in
            let response = try await client.execute(uri: uri, method: HTTPRequest.Method(method)!, headers: Fixture.headers(),
                                                    body: body.map(Fixture.body))
            #expect(response.status == .badRequest)
            #expect(Fixture.errors(response).map(\.code) == codes)
        }
    }

    @Test("the ten field codes use the seed's templates word for word")
    func templateWording() async throws {
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: media, method: .post, headers: Fixture.headers(),
                body: Fixture.body(#"{"metadata":{"title":"\#(String(repeating: "t", count: 300))","tags":"news"},"upload":{"method":"fetch"}}"#))
            let descriptions = Fixture.errors(response).map(\.description)
            #expect(descriptions == [
                "Field 'upload.download_url' is required.",
                "Field 'metadata.title' must be shorter than '255' characters. Value of '\(String(repeating: "t", count: 300))' was provided.",
                "Field 'metadata.tags' must be of type 'array'. Value of 'news' was provided.",
            ])
        }
    }

    @Test("more than 10 webhooks is resource_exhausted")
    func resourceExhausted() async throws {
        try await app.test(.router) { client in
            for index in 0..<10 {
                let body = #"{"metadata":{"name":"hook \#(index)","webhook_url":"https://h.example","events":["a"]}}"#
                #expect(try await client.execute(uri: "/v2/webhooks/", method: .post, headers: Fixture.headers(),
                                                  body: Fixture.body(body)).status == .created)
            }
            let eleventh = try await client.execute(
                uri: "/v2/webhooks/", method: .post, headers: Fixture.headers(),
                body: Fixture.body(#"{"metadata":{"name":"hook 10","webhook_url":"https://h.example","events":["a"]}}"#))
            #expect(eleventh.status == .badRequest)
            #expect(Fixture.errors(eleventh).map(\.description) == ["You cannot 'create' any more of 'webhooks'. Value of '11' was provided."])
        }
    }

    @Test("401 for a missing, unknown or unknown bare secret; a known bare secret works")
    func unauthorized() async throws {
        try await app.test(.router) { client in
            let unknown = SimulatedToken(label: "x", secret: "nope")
            for headers in [Fixture.headers(nil), Fixture.headers(unknown), Fixture.headers(unknown, bare: true)] {
                let response = try await client.execute(uri: "/v2/webhooks/", method: .get, headers: headers)
                #expect(response.status == .unauthorized)
                #expect(Fixture.errors(response).map(\.description) == ["The provided authentication credentials are invalid."])
            }
            #expect(try await client.execute(uri: "/v2/webhooks/", method: .get, headers: Fixture.headers(bare: true)).status == .ok)
        }
    }

    /// (status, code, method, uri, token, body)
    static let statuses: [(Int, String, String, String, Bool, String?)] = [
        (403, "forbidden", "POST", "/v2/webhooks/", true, #"{"metadata":{"name":"abc","webhook_url":"https://x","events":["a"]}}"#),
        (404, "not_found", "GET", "/v2/sites/Abcd1234/media/nosuchid/", false, nil),
        (404, "not_found", "GET", "/v2/sites/bad/media/", false, nil),
        (404, "not_found", "GET", "/v1/accounts/", false, nil),
        (405, "method_not_allowed", "DELETE", "/v2/sites/Abcd1234/media/", false, nil),
        (405, "method_not_allowed", "POST", "/v2/sites/Abcd1234/playlists/", false, nil),
    ]

    @Test("403, 404 and 405 with the seed's descriptions", arguments: statuses)
    func otherStatuses(status: Int, code: String, method: String, uri: String, viewer: Bool, body: String?) async throws {
        try await app.test(.router) { client in
            let response = try await client.execute(uri: uri, method: HTTPRequest.Method(method)!,
                                                    headers: Fixture.headers(viewer ? Fixture.viewer : Fixture.admin),
                                                    body: body.map(Fixture.body))
            #expect(response.status.code == status)
            #expect(Fixture.errors(response).map(\.code) == [code])
            #expect(Fixture.errors(response).first?.description == FieldError.standard(status).description)
        }
    }

    @Test("422 for the reupload of an external media")
    func unprocessable() async throws {
        try await app.test(.router) { client in
            let created = try await client.execute(
                uri: media, method: .post, headers: Fixture.headers(),
                body: Fixture.body(#"{"upload":{"method":"external","download_url":"https://cdn.example/v.mp4"}}"#))
            let id = try #require(Fixture.json(created)["id"] as? String)
            let response = try await client.execute(uri: media + id + "/reupload/", method: .put, headers: Fixture.headers(),
                                                    body: Fixture.body(#"{"upload":{"method":"direct"}}"#))
            #expect(response.status.code == 422)
            #expect(Fixture.errors(response).map(\.code) == ["unprocessable"])
        }
    }

    @Test("a body over 1 MiB is refused with a clear 400")
    func oversizedBody() async throws {
        try await app.test(.router) { client in
            let response = try await client.execute(uri: media, method: .post, headers: Fixture.headers(),
                                                    body: ByteBuffer(repeating: UInt8(ascii: "a"), count: (1 << 20) + 10))
            #expect(response.status == .badRequest)
            #expect(Fixture.errors(response).map(\.code) == ["too_long"])
            #expect(Fixture.errors(response).first?.description.contains("Field 'body'") == true)
        }
    }

    @Test("faults: 500, 502 as JSON and as HTML, 503 and 504 after its delay")
    func faults() async throws {
        let api = SimulatedAPI(configuration: Fixture.configuration(faultRate: 1))
        var seen: [Int: Int] = [:]
        var htmlGateway = false
        for _ in 0..<50 {
            let response = api.respond(to: SimulatedRequest(method: "GET", path: "/v2/webhooks/", authorization: "Bearer " + Fixture.admin.secret))
            seen[response.status, default: 0] += 1
            if response.status == 502, response.headers.contains(where: { $0 == ("Content-Type", "text/html") }) { htmlGateway = true }
            if response.status == 504 { #expect(response.delay == .milliseconds(20)) } else { #expect(response.delay == .zero) }
            // The quota resets each minute of the manual clock only when told; stay under it.
            if seen.values.reduce(0, +) >= 55 { break }
        }
        #expect(Set(seen.keys) == [500, 502, 503, 504])
        #expect(htmlGateway)
        let none = SimulatedAPI(configuration: Fixture.configuration(faultRate: 0))
        #expect(none.respond(to: SimulatedRequest(method: "GET", path: "/v2/webhooks/", authorization: "Bearer " + Fixture.admin.secret)).status == 200)
    }
}
