import Foundation
import ManagementAPI
import Monitor
@testable import Recorder
import Testing

/// `/v1/calls` filters journal records with `Filter.matches(_: CallRecord)`, which never saw
/// an occurrence: this holds it to what a real `MonitorCore` keeps for the same filter.
@Suite("Recorder: /v1/calls filters select what the Monitor's filter selects")
struct RecordFilterTests {
    static let records: [CallRecord] = {
        let field = ErrorEntry(
            code: "too_long", description: "Field 'metadata.title' must be shorter than '64' characters.",
            detail: FieldDetail(field: "metadata.title", constraint: "64", provided: "x"))
        let missing = ErrorEntry(code: "required", description: "Field 'name' is required.", detail: FieldDetail(field: "name", constraint: nil, provided: nil))
        let shapes: [(TokenReference, String, String, CallOutcome, [ErrorEntry])] = [
            (Fixtures.alpha, "POST", "/v2/sites/abc/media", .status(400), [field, missing]),
            (Fixtures.beta, "GET", "/v2/sites/abc/media/m1", .status(404), [ErrorEntry(code: "not_found", description: "The requested resource could not be found.")]),
            (Fixtures.alpha, "GET", "/v2/sites", .status(429), [ErrorEntry(code: "rate_limit_exceeded", description: "The rate limit has been exceeded.")]),
            (Fixtures.beta, "DELETE", "/v2/sites/abc", .status(500), []),
            (Fixtures.alpha, "PATCH", "/v2/sites/Abc/players", .status(503), [ErrorEntry(code: "service_unavailable", description: "A dependent service is temporarily unavailable.")]),
            (Fixtures.beta, "GET", "/v2/sites", .transport(.refused), [ErrorEntry(code: "refused", description: "connection refused", synthesized: true)]),
        ]
        return shapes.enumerated().map { index, shape in
            CallRecord(
                time: Fixtures.start.addingTimeInterval(Double(index)), token: shape.0, method: shape.1, path: shape.2,
                outcome: shape.3, latency: .milliseconds(10), rate: .unknown, errors: shape.4, source: .tap)
        }
    }()

    static let filters = [
        "status:400", "status:4xx", "status:5xx", "status:transport", "!status:4xx", "status:404 status:500",
        "token:alpha", "token:BE", "token:#b2", "!token:alpha", "code:required", "code:not_found", "code:too_long",
        "field:metadata", "field:metadata.title", "field:meta", "method:get", "method:POST", "path:media",
        "path:abc", "media", "RATE LIMIT", "\"rate limit\"", "token:alpha status:5xx", "!code:rate_limit_exceeded status:4xx",
    ]

    @Test("each filter keeps the same records in both", arguments: filters)
    func parity(_ text: String) throws {
        let filter = try Filter(parsing: text)
        var core = MonitorCore()
        for record in Self.records { core.ingest(record) }
        let snapshot = core.snapshot(now: Fixtures.start.addingTimeInterval(10), filter: filter)
        let monitor = Set(snapshot.classes.flatMap(\.groups).flatMap(\.occurrences).map(\.record))
        let recorder = Set(Self.records.filter { filter.matches($0) })
        #expect(monitor == recorder, "filter '\(text)'")
        // Every filter but one selects something, or the comparison would prove little;
        // "field:meta" must not match "metadata.title" (a field prefix ends at a dot).
        #expect(monitor.isEmpty == (text == "field:meta"), "filter '\(text)'")
    }
}
