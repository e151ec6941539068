import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ManagementAPI
import Testing
@testable import Simulator

/// The simulator and the core client were written apart (neither imports the other); here
/// the client decodes every answer of the simulator back to the same status and code.
@Suite("The core client decodes every simulated answer over loopback")
struct ClientRoundTripTests {
    let admin = Token(label: "ops", secret: Secret(Fixture.admin.secret))
    let viewer = Token(label: "ro", secret: Secret(Fixture.viewer.secret))
    let media = "/v2/sites/\(Fixture.site)/media/"

    func client(port: Int) -> ManagementClient {
        ManagementClient(configuration: .init(baseURL: "http://127.0.0.1:\(port)"), httpClient: HTTPClient.shared,
                         logger: Logger(label: "test"))
    }

    func post(_ path: String, _ body: String) -> APIRequest {
        APIRequest(method: "POST", path: path, body: Array(body.utf8))
    }

    @Test("every 400 field code parses to its field; 401, 403, 404, 405, 409, 422 and 429 keep status and code")
    func clientErrors() async throws {
        try await buildApplication(Fixture.configuration()).test(.live) { server in
            let client = client(port: server.port!)
            var codes: [String: FieldDetail?] = [:]
            func collect(_ request: APIRequest) async {
                let record = await client.send(request, token: admin).record
                #expect(record.outcome == .status(400))
                for entry in record.errors { codes[entry.code] = entry.detail }
            }
            await collect(post(media, #"{"metadata":{"title":"\#(String(repeating: "t", count: 300))","tags":"news"},"upload":{}}"#))
            await collect(post(media, #"{"metadata":{"title":"","publish_start_date":"soon"},"upload":{"method":"direct","download_url":"https://x"}}"#))
            await collect(post("/v2/webhooks/", #"{"metadata":{"name":"ab","webhook_url":"https://h","events":["a"]}}"#))
            await collect(APIRequest.listMedia(siteID: Fixture.site, pageLength: 0))
            await collect(APIRequest.listMedia(siteID: Fixture.site, pageLength: 10_001))
            // Ten webhooks fill the account: the eleventh is resource_exhausted, a second
            // "hook 0" (below, with a free slot) a conflict.
            for index in 0..<10 {
                _ = await client.send(post("/v2/webhooks/", #"{"metadata":{"name":"hook \#(index)","webhook_url":"https://h","events":["a"]}}"#), token: admin)
            }
            await collect(post("/v2/webhooks/", #"{"metadata":{"name":"hook 99","webhook_url":"https://h","events":["a"]}}"#))
            let hooks = await client.send(.listWebhooks(), token: admin)
            if case .success(_, let body)? = hooks.outcome, let last = ResponseDecoder.decodeList(body)?.items.last?["id"]?.stringValue {
                #expect(await client.send(.deleteWebhook(webhookID: last), token: admin).record.outcome == .status(204))
            }
            #expect(Set(codes.keys) == Set(StandardCodes.fieldCodes))
            for (code, detail) in codes {
                #expect(detail != nil, "\(code) did not parse")
            }
            #expect(codes["too_long"]??.field == "metadata.title")
            #expect(codes["too_long"]??.constraint == "255")
            #expect(codes["resource_exhausted"]??.field == "webhooks")

            let unknown = Token(label: "x", secret: Secret("unknown"))
            let cases: [(APIRequest, Token, Int, String)] = [
                (.listWebhooks(), unknown, 401, "unauthorized"),
                (post("/v2/webhooks/", "{}"), viewer, 403, "forbidden"),
                (.getMedia(siteID: Fixture.site, mediaID: "missing1"), admin, 404, "not_found"),
                (APIRequest(method: "DELETE", path: media), admin, 405, "method_not_allowed"),
                (post("/v2/webhooks/", #"{"metadata":{"name":"hook 0","webhook_url":"https://h","events":["a"]}}"#), admin, 409, "conflict"),
            ]
            for (request, token, status, code) in cases {
                let record = await client.send(request, token: token).record
                #expect(record.outcome == .status(status))
                #expect(record.errors.map(\.code) == [code])
                #expect(record.rate.limit == 60)
            }
            let external = await client.send(post(media, #"{"upload":{"method":"external","download_url":"https://cdn/v.mp4"}}"#), token: admin)
            guard case .success(_, let body)? = external.outcome,
                case .object(let fields) = try JSONDecoder().decode(JSONValue.self, from: Data(body)),
                let id = fields["id"]?.stringValue
            else {
                Issue.record("creating an external media failed: \(external.record.outcome)")
                return
            }
            let reupload = await client.send(.reuploadMedia(siteID: Fixture.site, mediaID: id, body: Array(#"{"upload":{"method":"direct"}}"#.utf8)), token: admin)
            #expect(reupload.record.outcome == .status(422))
            #expect(reupload.record.errors.map(\.code) == ["unprocessable"])

            var last = await client.send(.listWebhooks(), token: viewer).record
            while last.outcome == .status(200) { last = await client.send(.listWebhooks(), token: viewer).record }
            #expect(last.outcome == .status(429))
            #expect(last.errors.map(\.code) == ["rate_limit_exceeded"])
            #expect(last.rate.remaining == 0)
        }
    }

    @Test("500, 502 (JSON and HTML), 503 and 504 decode to their codes")
    func serverErrors() async throws {
        try await buildApplication(Fixture.configuration(faultRate: 1)).test(.live) { server in
            let client = client(port: server.port!)
            var codes: [Int: Set<String>] = [:]
            var shapes: Set<String> = []
            for _ in 0..<50 {
                let response = await client.send(.listWebhooks(), token: admin)
                guard let status = response.record.outcome.status else { continue }
                codes[status, default: []].formUnion(response.record.errors.map(\.code))
                if case .failure(let error)? = response.outcome { shapes.insert(error.shape.rawValue) }
            }
            #expect(codes == [500: ["internal_server_error"], 502: ["bad_gateway"], 503: ["service_unavailable"], 504: ["gateway_timeout"]])
            #expect(shapes == ["standard", "notJSON"])
        }
    }
}
