import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import Simulator

@Suite("Simulator routes through HummingbirdTesting")
struct RouteTests {
    var app: some ApplicationProtocol { buildApplication(Fixture.configuration()) }
    let media = "/v2/sites/\(Fixture.site)/media/"

    @Test("media: list, create, get, patch, reupload, delete")
    func mediaLifecycle() async throws {
        try await app.test(.router) { client in
            let list = try await client.execute(uri: media + "?page_length=2", method: .get, headers: Fixture.headers())
            #expect(list.status == .ok)
            let envelope = Fixture.json(list)
            #expect((envelope["media"] as? [Any])?.count == 2)
            #expect(envelope["page"] as? Int == 1 && envelope["page_length"] as? Int == 2)
            let total = try #require(envelope["total"] as? Int)

            let created = try await client.execute(
                uri: media, method: .post, headers: Fixture.headers(),
                body: Fixture.body(#"{"upload":{"method":"direct"},"metadata":{"title":"Launch","tags":["a"]}}"#))
            #expect(created.status == .created)
            let id = try #require(Fixture.json(created)["id"] as? String)
            #expect(Fixture.json(try await client.execute(uri: media, method: .get, headers: Fixture.headers()))["total"] as? Int == total + 1)

            let fetched = try await client.execute(uri: media + id + "/", method: .get, headers: Fixture.headers())
            #expect(fetched.status == .ok)
            #expect((Fixture.json(fetched)["metadata"] as? [String: Any])?["title"] as? String == "Launch")

            let patched = try await client.execute(uri: media + id + "/", method: .patch, headers: Fixture.headers(),
                                                   body: Fixture.body(#"{"metadata":{"title":"Renamed"}}"#))
            #expect(patched.status == .ok)
            #expect((Fixture.json(patched)["metadata"] as? [String: Any])?["title"] as? String == "Renamed")

            let reupload = try await client.execute(uri: media + id + "/reupload/", method: .put, headers: Fixture.headers(),
                                                    body: Fixture.body(#"{"upload":{"method":"fetch","download_url":"https://x/y.mp4"}}"#))
            #expect(reupload.status == .ok)

            let deleted = try await client.execute(uri: media + id + "/", method: .delete, headers: Fixture.headers())
            #expect(deleted.status == .noContent)
            #expect(deleted.body.readableBytes == 0)
            #expect(try await client.execute(uri: media + id + "/", method: .get, headers: Fixture.headers()).status == .notFound)
        }
    }

    @Test("webhooks: list, create, get, patch, delete, and 409 on a duplicate name")
    func webhookLifecycle() async throws {
        try await app.test(.router) { client in
            let body = #"{"metadata":{"name":"ingest hook","webhook_url":"https://h.example/x","events":["media_available"],"site_ids":["Abcd1234"]}}"#
            let created = try await client.execute(uri: "/v2/webhooks/", method: .post, headers: Fixture.headers(), body: Fixture.body(body))
            #expect(created.status == .created)
            let id = try #require(Fixture.json(created)["id"] as? String)
            let duplicate = try await client.execute(uri: "/v2/webhooks/", method: .post, headers: Fixture.headers(), body: Fixture.body(body))
            #expect(duplicate.status == .conflict)
            #expect(Fixture.errors(duplicate).map(\.code) == ["conflict"])
            let list = try await client.execute(uri: "/v2/webhooks/", method: .get, headers: Fixture.headers())
            #expect(Fixture.json(list)["total"] as? Int == 1)
            #expect(try await client.execute(uri: "/v2/webhooks/\(id)/", method: .get, headers: Fixture.headers()).status == .ok)
            let patched = try await client.execute(uri: "/v2/webhooks/\(id)/", method: .patch, headers: Fixture.headers(),
                                                   body: Fixture.body(#"{"metadata":{"name":"renamed hook"}}"#))
            #expect(patched.status == .ok)
            #expect(try await client.execute(uri: "/v2/webhooks/\(id)/", method: .delete, headers: Fixture.headers()).status == .noContent)
            #expect(try await client.execute(uri: "/v2/webhooks/\(id)/", method: .get, headers: Fixture.headers()).status == .notFound)
        }
    }

    @Test("playlists: create by type, list, get, delete; an unknown type is 404")
    func playlists() async throws {
        try await app.test(.router) { client in
            let base = "/v2/sites/\(Fixture.site)/playlists/"
            let created = try await client.execute(uri: base + "manual_playlist/", method: .post, headers: Fixture.headers(),
                                                   body: Fixture.body(#"{"metadata":{"title":"Top 10"}}"#))
            #expect(created.status == .created)
            let id = try #require(Fixture.json(created)["id"] as? String)
            #expect(Fixture.json(try await client.execute(uri: base, method: .get, headers: Fixture.headers()))["total"] as? Int == 1)
            #expect(try await client.execute(uri: base + id + "/", method: .get, headers: Fixture.headers()).status == .ok)
            #expect(try await client.execute(uri: base + id + "/", method: .delete, headers: Fixture.headers()).status == .noContent)
            #expect(try await client.execute(uri: base + "bogus_playlist/", method: .post, headers: Fixture.headers(),
                                              body: Fixture.body(#"{"metadata":{"title":"x"}}"#)).status == .notFound)
        }
    }

    @Test("every answer carries the three jw-* headers, with unique request ids, and a Content-Length")
    func headersOnEveryAnswer() async throws {
        try await app.test(.router) { client in
            var ids = Set<String>()
            let calls: [(String, HTTPRequest.Method, HTTPFields)] = [
                (media, .get, Fixture.headers()), ("/v2/nowhere/", .get, Fixture.headers()),
                ("/v2/webhooks/", .get, Fixture.headers(nil)), ("/v2/webhooks/", .put, Fixture.headers()),
                (media, .post, Fixture.headers(Fixture.viewer)),
            ]
            for (uri, method, headers) in calls {
                let response = try await client.execute(uri: uri, method: method, headers: headers)
                #expect(Fixture.header(response, "jw-request-limit") == "60")
                #expect(Fixture.header(response, "jw-request-remaining") != nil)
                let id = try #require(Fixture.header(response, "jw-request-id"))
                #expect(id.count == 32)
                ids.insert(id)
                #expect(response.headers[.contentLength] == String(response.body.readableBytes))
                #expect(response.headers[.location] == nil)
            }
            #expect(ids.count == calls.count)
        }
    }
}
