import Benchmark
import Feed
import Foundation
import Journal
import ManagementAPI
import Monitor
import Synchronization

/// The writer's wall clock, moved by the generator to the newest record's time: the journal
/// closes buckets as a live recorder would, without waiting a real week.
final class InjectedClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date) { current = Mutex(start) }
    var now: Date {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }
}

/// A folder of its own, removed when done.
struct Scratch {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-bench-\(UUID().uuidString)").path
    var journal: String { folder + "/journal.sqlite" }
    func remove() { try? FileManager.default.removeItem(atPath: folder) }
}

func writer(at path: String, clock: InjectedClock, queueCapacity: Int = 100_000) throws -> JournalWriter {
    var options = JournalWriter.Options()
    options.now = { clock.now }
    options.queueCapacity = queueCapacity
    return try JournalWriter(path: path, options: options)
}

/// Writes the whole week through a batching writer.
func writeWeek(to path: String) async throws {
    try await writeTraffic(to: path, seconds: WeekTraffic.seconds)
}

/// Writes the week's first `seconds` through a batching writer, pacing on its queue so
/// nothing is dropped and the clock stays within minutes of what the writer has taken.
func writeTraffic(to path: String, seconds: Int) async throws {
    let clock = InjectedClock(WeekTraffic.start)
    let journal = try writer(at: path, clock: clock)
    let week = WeekTraffic()
    for second in 0..<seconds {
        for token in 0..<WeekTraffic.tokenCount {
            let (record, body) = week.call(second: second, token: token)
            clock.now = record.time
            journal.append(record, requestBody: body)
        }
        if second % 250 == 0 {
            while journal.queuedRecords > 5_000 { try await Task.sleep(for: .milliseconds(1)) }
        }
    }
    await journal.close()
    precondition(journal.health.droppedRecords == 0, "the week lost records: \(journal.health)")
}

/// Fixtures are globals, built on first use: each benchmark runs in a process of its own.
let appendCount = 100_000
let appendCalls = WeekTraffic().calls(seconds: 0..<(appendCount / WeekTraffic.tokenCount))

let rebuildScratch = Scratch()

func mebibytes(_ bytes: Int64) -> Int { Int((Double(bytes) / 1_048_576).rounded()) }

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock], maxDuration: .seconds(10), maxIterations: 20)
    let recordsPerSecond = BenchmarkMetric.custom("records/s", polarity: .prefersLarger, useScalingFactor: false)
    let mib = BenchmarkMetric.custom("MiB", polarity: .prefersSmaller, useScalingFactor: false)

    // Issue 12 (target: at least 200 000 records/s): from the first append to the flush that
    // has them all on disk, 5 % of them failed calls written in full, the rest folded.
    Benchmark("journal: append 100 000 records through the batching writer, flushed",
              configuration: .init(metrics: [.wallClock, recordsPerSecond])) { benchmark in
        let scratch = Scratch()
        defer { scratch.remove() }
        let clock = InjectedClock(WeekTraffic.start)
        guard let journal = try? writer(at: scratch.journal, clock: clock, queueCapacity: appendCount) else {
            fatalError("cannot open a journal in \(scratch.folder)")
        }
        let started = ContinuousClock.now
        benchmark.startMeasurement()
        for (record, body) in appendCalls {
            clock.now = record.time
            journal.append(record, requestBody: body)
        }
        await journal.flush()
        benchmark.stopMeasurement()
        let elapsed = ContinuousClock.now - started
        benchmark.measurement(recordsPerSecond, Int(Double(appendCount) / elapsed.seconds))
        precondition(journal.health.droppedRecords == 0)
        await journal.close()
    }

    // Baseline for the append rate: the same records and bodies appended to an array.
    Benchmark("baseline: append the same 100 000 records to an array",
              configuration: .init(metrics: [.wallClock, recordsPerSecond])) { benchmark in
        let started = ContinuousClock.now
        benchmark.startMeasurement()
        var array: [(CallRecord, Data?)] = []
        for (record, body) in appendCalls { array.append((record, body)) }
        blackHole(array)
        benchmark.stopMeasurement()
        let elapsed = ContinuousClock.now - started
        benchmark.measurement(recordsPerSecond, Int(Double(appendCount) / elapsed.seconds))
    }

    // Issue 12 (target: at most 300 MiB): the week's journal on disk, once closed.
    Benchmark("journal: a simulated week, 20 tokens at full quota, 5 % errors (12 096 000 calls), on disk",
              configuration: .init(metrics: [.wallClock, mib], warmupIterations: 0, maxDuration: .seconds(900), maxIterations: 1)) { benchmark in
        let scratch = Scratch()
        defer { scratch.remove() }
        do { try await writeWeek(to: scratch.journal) } catch { fatalError("the week: \(error)") }
        benchmark.measurement(mib, mebibytes(JournalReaderSize.of(scratch.journal)))
    }

    // Baseline for the size: the same calls as JSON Lines (each record as the client's
    // Codable JSON, plus a failed call's request body), measured on the first hour, times 168.
    Benchmark("baseline: the same week as JSON Lines (first hour x 168)",
              configuration: .init(metrics: [mib], warmupIterations: 0, maxIterations: 1)) { benchmark in
        let encoder = JSONEncoder()
        var bytes: Int64 = 0
        for (record, body) in WeekTraffic().calls(seconds: 0..<3_600) {
            bytes += Int64((try? encoder.encode(record))?.count ?? 0) + 1
            if let body { bytes += Int64(body.count) + 12 }  // ,"body":"…"
        }
        benchmark.measurement(mib, mebibytes(bytes * 168))
    }

    // Issue 12 (target: at most 300 ms): a monitor as a dashboard open for the hour before
    // 13:00:05 on the week's fifth day would hold it, rebuilt from the week's journal.
    let moment = WeekTraffic.start.addingTimeInterval(4 * 86_400 + 13 * 3_600 + 5)
    Benchmark("journal: rebuild a monitor for one hour of the week",
              configuration: .init(metrics: [.wallClock], maxDuration: .seconds(30), maxIterations: 30)) { (benchmark: Benchmark, reader: JournalReader) in
        for _ in benchmark.scaledIterations {
            blackHole(try? reader.rebuildMonitor(at: moment, span: 3_600))
        }
    } setup: {
        try await writeWeek(to: rebuildScratch.journal)
        return try JournalReader(path: rebuildScratch.journal)
    } teardown: {
        rebuildScratch.remove()
    }

    // Baseline for the rebuild: the same hour's calls, already in memory, into a monitor.
    let hourCalls = { () -> [CallRecord] in
        let first = Int(moment.timeIntervalSince(WeekTraffic.start)) - 3_600
        return WeekTraffic().calls(seconds: first..<(first + 3_600)).map(\.record)
    }
    Benchmark("baseline: ingest the same hour's 72 000 calls from memory into a monitor",
              configuration: .init(metrics: [.wallClock], maxDuration: .seconds(30), maxIterations: 30)) { (benchmark: Benchmark, calls: [CallRecord]) in
        for _ in benchmark.scaledIterations {
            var core = MonitorCore()
            for record in calls { core.ingest(record) }
            blackHole(core)
        }
    } setup: {
        hourCalls()
    }

    viewerBenchmarks()
    feedBenchmarks()
}

enum JournalReaderSize {
    /// The file and its WAL, as the journal itself counts them.
    static func of(_ path: String) -> Int64 {
        (try? JournalReader(path: path).fileSize) ?? 0
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
