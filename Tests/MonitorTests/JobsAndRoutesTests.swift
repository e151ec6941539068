import Foundation
import ManagementAPI
@testable import Monitor
import Testing

@Suite("Jobs and routes: who spends each token, and where calls fail or are slow")
struct JobsAndRoutesTests {
    static func call(_ job: String, _ token: TokenReference = Records.ingest, at offset: TimeInterval, status: Int = 200,
                     path: String = "/v2/sites/Abcd1234/media/", method: String = "GET", latency: Int = 12) -> CallRecord
    {
        CallRecord(time: Records.at(offset), token: token, method: method, path: path, outcome: .status(status),
                   latency: .milliseconds(latency), rate: RateHeaders(limit: 60, remaining: 10, requestID: nil),
                   errors: status >= 400 ? [ErrorEntry(code: StandardCodes.code(forStatus: status), description: "x")] : [],
                   source: .tap, job: job)
    }

    @Test("each job of a token: its calls in the last minute and their share of the limit, errors, p95, last call")
    func jobRows() {
        var core = MonitorCore()
        for second in 0..<30 { core.ingest(Self.call("nightly-ingest.py", at: Double(second), latency: second < 27 ? 20 : 400)) }
        for second in 0..<6 { core.ingest(Self.call("sync.jar", at: Double(second) * 10, status: second < 2 ? 429 : 200)) }
        core.ingest(Self.call("sync.jar", Records.cms, at: 55, status: 503))
        // An hour-old call counts nowhere any more.
        core.ingest(Self.call("old.sh", at: -3_600))
        let snapshot = core.snapshot(now: Records.at(59))
        let ingest = snapshot.jobs.filter { $0.token == Records.ingest }
        #expect(ingest.map(\.job) == ["nightly-ingest.py", "sync.jar"])
        #expect(ingest.map(\.callsInWindow) == [30, 6])
        #expect(ingest.map(\.shareOfLimit) == [0.5, 0.1])
        #expect(ingest.map(\.limited) == [0, 2] && ingest.map(\.clientErrors) == [0, 2])
        let p95 = try! #require(ingest[0].p95)
        #expect(p95 > .milliseconds(300) && p95 <= .milliseconds(500), "3 of 30 calls took 400 ms")
        #expect(ingest[1].lastCall == Records.at(50))
        let cms = snapshot.jobs.filter { $0.token == Records.cms }
        #expect(cms.map(\.job) == ["sync.jar"] && cms.map(\.serverErrors) == [1])
        #expect(!snapshot.jobs.contains { $0.job == "old.sh" })
    }

    @Test("each method and route over every token: calls, errors by class, p50 p95 p99")
    func routeRows() {
        var core = MonitorCore()
        for index in 0..<100 {
            core.ingest(Self.call("a", at: Double(index) * 0.5, path: "/v2/sites/Abcd1234/media/M\(index)xyz1/",
                                  latency: index < 50 ? 10 : index < 95 ? 100 : 2_000))
        }
        core.ingest(Self.call("b", Records.cms, at: 10, status: 404, path: "/v2/webhooks/Wh12345/", method: "DELETE"))
        let routes = core.snapshot(now: Records.at(60)).routes
        #expect(routes.map(\.route) == ["/v2/sites/{site_id}/media/{media_id}/", "/v2/webhooks/{webhook_id}/"])
        #expect(routes.map(\.method) == ["GET", "DELETE"])
        #expect(routes[0].calls == 100 && routes[1].clientErrors == 1)
        let media = routes[0]
        #expect(media.p50! <= .milliseconds(10))
        #expect(media.p95! > .milliseconds(75) && media.p95! <= .milliseconds(100))
        #expect(media.p99! > .milliseconds(1_500) && media.p99! <= .milliseconds(2_000))
    }

    @Test("job: and route: filter the errors, the jobs and the routes")
    func filters() throws {
        var core = MonitorCore()
        core.ingest(Self.call("nightly-ingest.py", at: 1, status: 400, path: "/v2/sites/Abcd1234/media/", method: "POST"))
        core.ingest(Self.call("sync.jar", at: 2, status: 404, path: "/v2/webhooks/Wh12345/"))
        let byJob = core.snapshot(now: Records.at(10), filter: try Filter(parsing: "job:Nightly-Ingest.py"))
        #expect(byJob.classes.flatMap(\.groups).flatMap(\.occurrences).map(\.record.job) == ["nightly-ingest.py"])
        #expect(byJob.jobs.map(\.job) == ["nightly-ingest.py"])
        let wholeRoute = core.snapshot(now: Records.at(10), filter: try Filter(parsing: "route:/v2/webhooks/{webhook_id}/"))
        #expect(wholeRoute.classes.flatMap(\.groups).flatMap(\.occurrences).map(\.record.job) == ["sync.jar"])
        #expect(wholeRoute.routes.map(\.route) == ["/v2/webhooks/{webhook_id}/"])
        #expect(core.snapshot(now: Records.at(10), filter: try Filter(parsing: "route:/v2/webhooks/")).routes.isEmpty)
        let part = core.snapshot(now: Records.at(10), filter: try Filter(parsing: "route:media !job:sync.jar"))
        #expect(part.routes.map(\.route) == ["/v2/sites/{site_id}/media/"])
        #expect(part.classes.flatMap(\.groups).flatMap(\.occurrences).count == 1)
        #expect(Filter.Term(key: .job, value: "x", negated: false).matches(name: "X"))
    }

    @Test("a followed recorder sending 10 000 routes and 200 jobs: the caps hold")
    func capsHold() {
        var core = MonitorCore()
        for index in 0..<10_000 {
            let record = CallRecord(
                time: Records.at(Double(index) / 1_000), token: Records.ingest, method: "GET", path: "", outcome: .status(200),
                latency: .milliseconds(1), rate: .unknown, errors: [], source: .tap, job: "program-\(index % 200)", route: "/v2/r\(index)/")
            core.ingest(record)
        }
        let snapshot = core.snapshot(now: Records.at(30))
        #expect(snapshot.jobs.count == JobName.cap + 1 && snapshot.jobs.contains { $0.job == JobName.other })
        #expect(snapshot.routes.count == APIRoute.cap + 1 && snapshot.routes.contains { $0.route == APIRoute.other })
        #expect(snapshot.jobs.map(\.callsInWindow).reduce(0, +) == 10_000)
    }
}

@Suite("A journaled bucket against job: and route:")
struct BucketFilterTests {
    @Test("a bucket passes when any of its parts does, not only its first")
    func anyPart() throws {
        let bucket = CallBucket(
            seq: 1, start: Records.start, token: Records.ingest, method: "GET", status: 200, source: .tap, count: 5,
            latencySum: .milliseconds(50), latencyMax: .milliseconds(10), figure: nil, firstSeq: 1,
            parts: [BucketPart(job: "a.py", route: "/v2/webhooks/", count: 2, latencies: nil),
                    BucketPart(job: "b.py", route: "/v2/sites/{site_id}/media/", count: 3, latencies: nil)])
        #expect(try Filter(parsing: "job:b.py").matches(.bucket(bucket)))
        #expect(try Filter(parsing: "route:media").matches(.bucket(bucket)))
        #expect(try Filter(parsing: "job:a.py").matches(.bucket(bucket)))
        #expect(try !Filter(parsing: "job:c.py").matches(.bucket(bucket)))
        #expect(try !Filter(parsing: "status:4xx").matches(.bucket(bucket)))
    }
}
