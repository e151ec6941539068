import Benchmark
import Foundation
import ManagementAPI
import Monitor

/// Realistic traffic: 100 tokens, mostly 2xx, a share of 400s with three field errors, 429s
/// and 5xx; each record owns its arrays (as records from the client do).
func makeRecords(count: Int, tokens: Int = 100, errorShare: Int = 2) -> [CallRecord] {
    let references = (0..<tokens).map { TokenReference(fingerprint: Secret("secret-\($0)").fingerprint, label: "token-\($0)") }
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    return (0..<count).map { index in
        let token = references[index % tokens]
        let time = start.addingTimeInterval(Double(index) * 0.01)
        let rate = RateHeaders(limit: 60, remaining: 60 - index % 60, requestID: "req-\(index)")
        let kind = index % 10
        let status = kind < 10 - errorShare * 2 ? 200 : [400, 400, 429, 502][index % 4]
        var errors: [ErrorEntry] = []
        if status == 400 {
            errors = [
                ErrorEntry(code: "too_long", description: "Field 'metadata.title' must be shorter than '255' characters. Value of 'x\(index)' was provided.",
                           detail: FieldDetail(field: "metadata.title", constraint: "255", provided: "x\(index)")),
                ErrorEntry(code: "required", description: "Field 'upload.method' is required.",
                           detail: FieldDetail(field: "upload.method", constraint: nil, provided: nil)),
                ErrorEntry(code: "invalid_type", description: "Field 'metadata.tags' must be of type 'array'. Value of 'news' was provided.",
                           detail: FieldDetail(field: "metadata.tags", constraint: "array", provided: "news")),
            ]
        } else if status != 200 {
            errors = [ErrorEntry(code: StandardCodes.code(forStatus: status), description: "status \(status)")]
        }
        // Three jobs a token, ten routes (DESIGN.md section 12), latencies spread over the buckets.
        return CallRecord(time: time, token: token, method: status == 400 ? "POST" : "GET",
                          path: routePaths[index % routePaths.count] + "Id\(index % 977)x/", outcome: .status(status),
                          latency: .milliseconds(5 + index % 400), rate: rate, errors: errors, source: .tap,
                          job: ["catalog-sync.py", "nightly-ingest.py", "report.jar"][(index / tokens) % 3])
    }
}

/// Ten of the API's collections; each call names one of their items.
let routePaths = [
    "/v2/sites/Abcd1234/media/", "/v2/webhooks/", "/v2/sites/Abcd1234/playlists/", "/v2/sites/Abcd1234/thumbnails/",
    "/v2/sites/Abcd1234/channels/", "/v2/sites/Abcd1234/imports/", "/v2/sites/Abcd1234/players/",
    "/v2/sites/Abcd1234/protection_rules/", "/v2/sites/Abcd1234/media/M1/text_tracks/", "/v2/sites/Abcd1234/media/M1/originals/",
]

/// Only errors, so the ring fills with exactly `count` occurrences.
func makeErrors(count: Int) -> [CallRecord] {
    makeRecords(count: count * 2, errorShare: 5).filter { $0.outcome.status != 200 }.prefix(count).map { $0 }
}

// Fixtures are globals, built on first use: each benchmark runs in a process of its own,
// and the memory benchmark's peak must not include fixtures it never touches.
let ingestRecords = makeRecords(count: 100_000)
let now = ingestRecords.last!.time.addingTimeInterval(1)

let retained50k: MonitorCore = {
    var core = MonitorCore(configuration: MonitorConfiguration(ringCapacity: 50_000))
    for record in makeErrors(count: 50_000) { core.ingest(record) }
    for record in ingestRecords.prefix(10_000) { core.ingest(record) }
    return core
}()

let errors100k = makeErrors(count: 100_000)
let retained100k: MonitorCore = {
    var core = MonitorCore(configuration: MonitorConfiguration(ringCapacity: 100_000, errorWindow: 86_400))
    for record in errors100k { core.ingest(record) }
    return core
}()
let filter = try! Filter(parsing: "token:token-1 code:too_long")
let wordFilter = try! Filter(parsing: "shorter")
let filterNow = errors100k.last!.time.addingTimeInterval(1)

/// A hostile caller's record `index`: a token of its own out of 100 000, and a third of the
/// calls errors with a code not seen before, a 4 KiB description and a long path.
func hostileRecord(_ index: Int, tokens: [TokenReference], description: String) -> CallRecord {
    let time = Date(timeIntervalSince1970: 1_800_000_000).addingTimeInterval(Double(index) * 0.001)
    let token = tokens[index % tokens.count]
    guard index % 3 == 0 else {
        return CallRecord(time: time, token: token, method: "GET", path: "/v2/webhooks/", outcome: .status(200),
                          latency: .milliseconds(5), rate: RateHeaders(limit: 60, remaining: 30, requestID: "req-\(index)"),
                          errors: [], source: .tap)
    }
    let status = [400, 404, 409, 429, 502][index % 5]
    let errors = (0..<(status == 400 ? 3 : 1)).map { field in
        ErrorEntry(code: "code_\(index)_\(field)", description: description,
                   detail: status == 400 ? FieldDetail(field: "metadata.f\(index)", constraint: "255", provided: description) : nil)
    }
    return CallRecord(time: time, token: token, method: "POST", path: "/v2/sites/Abcd1234/media/\(index)/" + description,
                      outcome: .status(status), latency: .milliseconds(5),
                      rate: RateHeaders(limit: 60, remaining: 0, requestID: "req-\(index)"), errors: errors, source: .tap)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(5), maxIterations: 1_000)

    // Issue 11: memory under a hostile caller (target: peak resident at most 200 MiB).
    Benchmark("memory: 100 000 distinct tokens, 10 million records (hostile caller)",
              configuration: .init(metrics: [.peakMemoryResident, .peakMemoryResidentDelta, .wallClock],
                                   maxDuration: .seconds(1_800), maxIterations: 1))
    { benchmark in
        let tokens = (0..<100_000).map { TokenReference(fingerprint: Fingerprint(hex: String($0, radix: 16)), label: nil) }
        let description = String(repeating: "d", count: 4_096)
        for _ in benchmark.scaledIterations {
            var core = MonitorCore()
            for index in 0..<10_000_000 { core.ingest(hostileRecord(index, tokens: tokens, description: description)) }
            blackHole(core.snapshot(now: Date(timeIntervalSince1970: 1_800_010_001)))
        }
    }

    Benchmark("ingest 100 000 records (3 jobs a token, 10 routes)") { benchmark in
        for _ in benchmark.scaledIterations {
            var core = MonitorCore()
            for record in ingestRecords { core.ingest(record) }
            blackHole(core)
        }
    }

    // Issue 26 (target: at most 1.3x): the same ingest without counting jobs and routes.
    Benchmark("baseline: ingest the same 100 000 records without jobs and routes") { benchmark in
        var configuration = MonitorConfiguration()
        configuration.tracksUsage = false
        for _ in benchmark.scaledIterations {
            var core = MonitorCore(configuration: configuration)
            for record in ingestRecords { core.ingest(record) }
            blackHole(core)
        }
    }

    // Baseline for the ingest figure: appending the same records to an array.
    Benchmark("baseline: append 100 000 records to an array") { benchmark in
        for _ in benchmark.scaledIterations {
            var array: [CallRecord] = []
            for record in ingestRecords { array.append(record) }
            blackHole(array)
        }
    }

    Benchmark("snapshot: 100 tokens, 50 000 retained occurrences") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(retained50k.snapshot(now: now))
        }
    }

    Benchmark("filter 100 000 occurrences: token:token-1 code:too_long") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(retained100k.snapshot(now: filterNow, filter: filter))
        }
    }

    Benchmark("filter 100 000 occurrences: bare word 'shorter'") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(retained100k.snapshot(now: filterNow, filter: wordFilter))
        }
    }

    // Baseline for the filter figures: one pass over the same records comparing a code.
    Benchmark("baseline: scan 100 000 records comparing one code") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(errors100k.count { $0.errors.first?.code == "too_long" })
        }
    }

    // Memory per retained occurrence: the heap block of one occurrence (its record inline,
    // the record's strings shared); the ring adds a reference (8 bytes) and a scan index
    // entry (24) to it. Not resident memory: a ring that reuses freed blocks would show no
    // growth at all. (The hostile-caller benchmark above measures the resident peak.)
    Benchmark("memory: heap block of one occurrence", configuration: .init(metrics: [.custom("bytes")], maxIterations: 1)) { benchmark in
        let record = makeErrors(count: 1)[0]
        var core = MonitorCore()
        core.ingest(record)
        let occurrence = core.snapshot(now: record.time).classes.flatMap(\.groups).flatMap(\.occurrences)[0]
        benchmark.measurement(.custom("bytes"), mallocUsableSize(Unmanaged.passUnretained(occurrence).toOpaque()))
    }
}

/// glibc's own answer for the size of a heap block (the Glibc module does not export it).
@_silgen_name("malloc_usable_size")
func mallocUsableSize(_ pointer: UnsafeMutableRawPointer?) -> Int
