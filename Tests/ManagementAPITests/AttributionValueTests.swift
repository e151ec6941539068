import Foundation
import ManagementAPI
import Testing

@Suite struct APIRouteTests {
    @Test(arguments: [
        ("/v2/sites/Abc12345/media/", "/v2/sites/{site_id}/media/"),
        ("/v2/sites/abcdefgh/media/XyZ98765/", "/v2/sites/{site_id}/media/{media_id}/"),
        ("/v2/sites/Abc12345/media/m1/media_renditions/r9/", "/v2/sites/{site_id}/media/{media_id}/media_renditions/{rendition_id}/"),
        ("/v2/sites/Abc12345/media/m1/text_tracks/t1/", "/v2/sites/{site_id}/media/{media_id}/text_tracks/{track_id}/"),
        ("/v2/sites/Abc12345/media/m1/originals/", "/v2/sites/{site_id}/media/{media_id}/originals/"),
        ("/v2/sites/Abc12345/thumbnails/th1/", "/v2/sites/{site_id}/thumbnails/{thumbnail_id}/"),
        ("/v2/webhooks/wh123/", "/v2/webhooks/{webhook_id}/"),
        ("/v2/webhooks/", "/v2/webhooks/"),
        ("/v2/sites/Abc12345/playlists/manual_playlist/", "/v2/sites/{site_id}/playlists/manual_playlist/"),
        ("/v2/sites/Abc12345/playlists/pl1/dynamic_playlist/", "/v2/sites/{site_id}/playlists/{playlist_id}/dynamic_playlist/"),
        ("/v2/sites/Abc12345/channels/c1/events/e1/", "/v2/sites/{site_id}/channels/{channel_id}/events/{event_id}/"),
        ("/v2/sites/Abc12345/analytics/queries/", "/v2/sites/{site_id}/analytics/queries/"),
        ("/v2/sites/Abc12345/imports/i1/", "/v2/sites/{site_id}/imports/{import_id}/"),
        ("/v2/sites/Abc12345/players/p1/", "/v2/sites/{site_id}/players/{player_id}/"),
        ("/v2/sites/Abc12345/protection_rules/r1/", "/v2/sites/{site_id}/protection_rules/{protection_rule_id}/"),
        ("/v2/sites/Abc12345/", "/v2/sites/{site_id}/"),
        // Off the table: an id follows a collection, and what is not a word is an id.
        ("/v2/sites/Abc12345/gizmos/g1/", "/v2/sites/{site_id}/gizmos/{gizmo_id}/"),
        ("/v2/sites/Abc12345/gizmos/abcdefgh/", "/v2/sites/{site_id}/gizmos/{gizmo_id}/"),
        ("/v2/categories/abcdefgh/entries/", "/v2/categories/{category_id}/entries/"),
        ("/v2/gizmos/media/", "/v2/gizmos/media/"),
        ("/v9/12345/", "/v9/{id}/"),
        ("/v3/gizmos/g12345/parts/", "/v3/gizmos/{gizmo_id}/parts/"),
        ("/healthz", "/healthz"),
        ("/", "/"),
        ("", "other"),
    ])
    func named(path: String, route: String) {
        #expect(APIRoute.of(path: path) == route)
        #expect(APIRoute.isWellFormed(APIRoute.of(path: path)))
    }

    @Test func tenThousandDistinctPathsAreAFewRoutes() {
        var routes = Set<String>()
        for index in 0..<10_000 {
            routes.insert(APIRoute.of(path: "/v2/sites/Site\(index % 97)/media/Media\(index)/"))
            routes.insert(APIRoute.of(path: "/v2/things/\(index)/X\(index)y/"))
        }
        #expect(routes == ["/v2/sites/{site_id}/media/{media_id}/", "/v2/things/{thing_id}/{id}/"])
    }

    @Test func hostileSegmentsNeverReachTheRoute() {
        let hostile = "/v2/sites/\u{1B}]0;pwned\u{07}/media/\u{202E}abc/" + String(repeating: "segment/", count: 40)
        let route = APIRoute.of(path: hostile)
        #expect(APIRoute.isWellFormed(route))
        #expect(!route.unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{202E}" })
        #expect(route.hasSuffix("/…"))
        #expect(route.utf8.count <= APIRoute.maxLength)
    }

    @Test func wellFormedRefusesWhatARecorderNeverWrites() {
        #expect(!APIRoute.isWellFormed("/v2/\u{1B}[2J/"))
        #expect(!APIRoute.isWellFormed("v2/sites/"))
        #expect(!APIRoute.isWellFormed("/V2/Sites/"))
        #expect(!APIRoute.isWellFormed("/" + String(repeating: "a", count: APIRoute.maxLength)))
        #expect(APIRoute.isWellFormed("other"))
    }
}

@Suite struct LatencyHistogramTests {
    @Test func boundsAreInclusiveAndTheLastBucketHoldsTheSlowest() {
        #expect(LatencyHistogram.bucket(of: .milliseconds(1)) == 0)
        #expect(LatencyHistogram.bucket(of: .microseconds(1_001)) == 1)
        #expect(LatencyHistogram.bucket(of: .seconds(60)) == LatencyHistogram.bucketCount - 2)
        #expect(LatencyHistogram.bucket(of: .seconds(3_600)) == LatencyHistogram.bucketCount - 1)
        #expect(LatencyHistogram.bucket(of: .zero) == 0)
    }

    @Test func quantilesInterpolateWithinTheirBucket() {
        var histogram = LatencyHistogram()
        #expect(histogram.quantile(0.5) == nil)
        // 90 calls of 40 ms (bucket 30–50 ms) and 10 of 400 ms (bucket 300–500 ms).
        for _ in 0..<90 { histogram.add(.milliseconds(40)) }
        for _ in 0..<10 { histogram.add(.milliseconds(400)) }
        let p50 = histogram.quantile(0.5)!
        #expect(p50 > .milliseconds(30) && p50 <= .milliseconds(50))
        let p95 = histogram.quantile(0.95)!
        #expect(p95 > .milliseconds(300) && p95 <= .milliseconds(500))
        #expect(histogram.quantile(1)! == .milliseconds(500))
    }

    @Test func theSlowestBucketReadsAsSixtySeconds() {
        var histogram = LatencyHistogram()
        histogram.add(.seconds(90))
        #expect(histogram.quantile(0.99) == .seconds(60))
    }

    @Test func packedRoundTripsAndMergesAdd() {
        var histogram = LatencyHistogram()
        for milliseconds in [0, 2, 2, 45, 45, 45, 900, 70_000] { histogram.add(.milliseconds(milliseconds)) }
        for _ in 0..<300 { histogram.add(.milliseconds(12)) }
        let read = LatencyHistogram(packed: histogram.packed)
        #expect(read == histogram)
        var merged = histogram
        merged.merge(read!)
        #expect(merged.total == 2 * histogram.total)
        #expect(LatencyHistogram(packed: []) == LatencyHistogram())
    }

    @Test func damagedPackedBytesReadAsNone() {
        #expect(LatencyHistogram(packed: [0, 200, 1]) == nil, "a bucket out of range")
        #expect(LatencyHistogram(packed: [0, 3]) == nil, "a varint cut short")
        #expect(LatencyHistogram(packed: [0, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]) == nil, "a varint past 32 bits")
        #expect(LatencyHistogram(packed: [0xF0]) == nil, "a count of 0")
        #expect(LatencyHistogram(packed: [0x01, 0, 0, 5]) == nil, "a bucket out of order")
        #expect(LatencyHistogram(packed: [0xF1, 0xF1]) == nil, "past the last bucket")
        #expect(LatencyHistogram(counts: [1, 2]) == nil)
    }

    @Test func aTypicalBucketPacksIntoAByteABucket() {
        var histogram = LatencyHistogram()
        for milliseconds in [25, 40, 60, 90, 120, 180, 190, 35, 45, 70] { histogram.add(.milliseconds(milliseconds)) }
        #expect(histogram.packed.count == histogram.counts.filter { $0 > 0 }.count)
        #expect(LatencyHistogram(packed: histogram.packed) == histogram)
    }

    @Test func sparseTextRoundTripsAndRefusesWhatItNeverWrites() {
        var histogram = LatencyHistogram()
        for milliseconds in [2, 2, 45, 900] { histogram.add(.milliseconds(milliseconds)) }
        #expect(histogram.sparse == "1:2,9:1,17:1")
        #expect(LatencyHistogram(sparse: histogram.sparse) == histogram)
        #expect(LatencyHistogram(sparse: "") == LatencyHistogram())
        for bad in ["1:0", "1:2,1:3", "99:1", "a:b", "1:2,", "-1:2", "1"] { #expect(LatencyHistogram(sparse: bad) == nil, "\(bad)") }
    }

    @Test func representativesLandInTheirOwnBucket() {
        var histogram = LatencyHistogram()
        for milliseconds in [3, 40, 40, 700, 90_000] { histogram.add(.milliseconds(milliseconds)) }
        var again = LatencyHistogram()
        for index in 0..<histogram.total { again.add(histogram.representative(ofCall: index)!) }
        #expect(again == histogram)
        #expect(histogram.representative(ofCall: histogram.total) == nil)
    }
}

@Suite struct JobNameAndCapsTests {
    @Test func namesAreEscapedAndCut() {
        #expect(JobName.clean("nightly-ingest.py") == "nightly-ingest.py")
        let hostile = JobName.clean("evil\u{1B}]0;x\u{07}\u{202E}.py")
        #expect(!hostile.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0 == "\u{202E}" })
        #expect(hostile.hasPrefix("evil\\e"))
        let long = JobName.clean(String(repeating: "x", count: 10_000))
        #expect(long.count == JobName.maxLength && long.hasSuffix("…"))
        #expect(JobName.clean("") == JobName.unknown)
    }

    @Test func capsFoldTheRestIntoOther() {
        var caps = AttributionCaps()
        let token = Secret("s").fingerprint
        let other = Secret("t").fingerprint
        let jobs = (0..<200).map { caps.admit(job: "program-\($0)", of: token) }
        #expect(Set(jobs).count == JobName.cap + 1)
        #expect(jobs.suffix(150).allSatisfy { $0 == JobName.other })
        // Another token has its own fifty; a job admitted once stays itself.
        #expect(caps.admit(job: "program-199", of: other) == "program-199")
        #expect(caps.admit(job: "program-3", of: token) == "program-3")
        let routes = (0..<10_000).map { caps.admit(route: "/v2/r\($0)/") }
        #expect(Set(routes).count == APIRoute.cap + 1)
        #expect(routes.last == APIRoute.other)
    }

    @Test func aRecordKeepsItsAttributionThroughCopies() {
        let record = CallRecord(
            time: Date(), token: TokenReference(fingerprint: Secret("s").fingerprint, label: "a"), method: "GET",
            path: "/v2/webhooks/abc123/", outcome: .status(404), latency: .milliseconds(5), rate: .unknown, errors: [], source: .tap)
        #expect(record.job == JobName.unknown)
        #expect(record.route == "/v2/webhooks/{webhook_id}/")
        let named = record.attributed(job: "sync.jar")
        #expect(named.job == "sync.jar" && named.route == record.route)
        #expect(named.withErrors([ErrorEntry(code: "not_found", description: "gone")]).job == "sync.jar")
        let probe = CallRecord(
            time: Date(), token: record.token, method: "GET", path: "/v2/webhooks/", outcome: .status(200), latency: .zero,
            rate: .unknown, errors: [], source: .probe)
        #expect(probe.job == JobName.probe)
    }
}
