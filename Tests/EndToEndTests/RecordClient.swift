import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TestSupport

/// What tests ask a running recorder and its tap: plain HTTP on loopback, each with a deadline.
enum RecordClient {
    struct Answer {
        let status: Int
        let body: String
    }

    /// One call through a tap (or anywhere), as a job makes it.
    static func call(_ url: String, method: HTTPMethod = .GET, secret: String? = nil, body: String? = nil,
                     timeout: Duration = .seconds(30)) async throws -> Answer
    {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let secret { request.headers.add(name: "Authorization", value: "Bearer " + secret) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: TimeAmount(timeout))
        let bytes = try await response.body.collect(upTo: 1 << 28)
        return Answer(status: Int(response.status.code), body: String(buffer: bytes))
    }

    /// `GET /v1/calls?from=…` as decoded JSON lines.
    static func calls(_ admin: String, from: Date = Date(timeIntervalSinceNow: -3_600)) async throws -> [[String: Any]] {
        let query = from.formatted(.iso8601).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let answer = try await call(admin + "/v1/calls?from=" + query, timeout: .seconds(60))
        guard answer.status == 200 else { throw Unexpected(description: "/v1/calls answered \(answer.status): \(answer.body)") }
        return try answer.body.split(separator: "\n").map(object)
    }

    /// `/healthz`'s `lag_ms`: how far the journal trails the traffic (0 when nothing is queued).
    static func lag(_ admin: String) async throws -> Int {
        let health = try object(try await call(admin + "/healthz").body)
        guard let lag = health["lag_ms"] as? Int else { throw Unexpected(description: "/healthz has no lag_ms: \(health)") }
        return lag
    }

    struct Unexpected: Error, CustomStringConvertible {
        let description: String
    }

    /// One Server-Sent Event.
    struct Event: Equatable {
        let id: Int64
        let kind: String
        let data: String

        var object: [String: Any] { (try? RecordClient.object(data)) ?? [:] }
    }

    /// Reads `/v1/events` (after `lastEventID` when given, as a reconnecting viewer does) until
    /// `enough` holds for the events so far, then hangs up. Throws at the deadline.
    static func events(_ admin: String, lastEventID: Int64? = nil, timeout: Duration = .seconds(30),
                       until enough: @escaping @Sendable ([Event]) -> Bool) async throws -> [Event]
    {
        try await withThrowingTaskGroup(of: [Event]?.self) { group in
            group.addTask {
                var request = HTTPClientRequest(url: admin + "/v1/events")
                if let lastEventID { request.headers.add(name: "Last-Event-ID", value: String(lastEventID)) }
                let response = try await HTTPClient.shared.execute(request, timeout: TimeAmount(timeout))
                var text = ""
                var events: [Event] = []
                for try await chunk in response.body {
                    text += String(buffer: chunk)
                    while let end = text.range(of: "\n\n") {
                        let block = String(text[..<end.lowerBound])
                        text.removeSubrange(..<end.upperBound)
                        if let event = parse(block) { events.append(event) }
                    }
                    if enough(events) { return events }
                }
                throw Unexpected(description: "the event stream ended after \(events.count) events")
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let events = try await group.next() ?? nil else {
                throw Unexpected(description: "/v1/events: not enough events within \(timeout)")
            }
            return events
        }
    }

    /// `id:`, `event:` and `data:` lines; comments (`: keep-alive`) are not events.
    static func parse(_ block: String) -> Event? {
        var id: Int64?
        var kind = "message"
        var data = ""
        for line in block.split(separator: "\n") {
            if line.hasPrefix("id: ") { id = Int64(line.dropFirst(4)) }
            if line.hasPrefix("event: ") { kind = String(line.dropFirst(7)) }
            if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
        }
        return id.map { Event(id: $0, kind: kind, data: data) }
    }

    static func object(_ line: some StringProtocol) throws -> [String: Any] {
        try (JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? [:]
    }

    /// `eventually` with the longer deadline a real process needs (it may be starting up).
    static func eventually(within limit: Duration = .seconds(60), _ condition: () async throws -> Bool) async rethrows -> Bool {
        try await TestSupport.eventually(within: limit, poll: .milliseconds(50), condition)
    }
}
