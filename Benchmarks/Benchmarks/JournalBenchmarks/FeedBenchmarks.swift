import Benchmark
import Foundation
import Journal
import ManagementAPI
import Wire

/// Issue 23, points 11 and 12: how fast a window decodes the events it follows (target: at
/// least 50 000 a second), and how the journal writer's queue drains a backlog.

/// 100 000 events as `/v1/events` sends them, from the week's first seconds: each journaled
/// call a `call` line (with its errors), each success folded into a bucket line.
let feedCount = 100_000
let feedLines: [String] = {
    var lines: [String] = []
    var seq: Int64 = 0
    var second = 0
    while lines.count < feedCount {
        for (record, _) in WeekTraffic().calls(seconds: second..<(second + 1)) where lines.count < feedCount {
            seq += 1
            let event: JournalEvent = record.statusClass == .success
                ? .bucket(CallBucket(
                    seq: seq, start: record.time, token: record.token, method: record.method, status: 200, source: record.source, count: 7,
                    latencySum: record.latency * 7, latencyMax: record.latency, figure: nil, firstSeq: seq))
                : .call(JournaledCall(seq: seq, record: record, requestBody: nil, requestBodySize: nil, requestBodyCut: nil, query: nil))
            lines.append(WireFormat.line(event))
        }
        second += 1
    }
    return lines
}()

/// The same lines framed as one Server-Sent Events stream, as the window reads it.
let feedStream: [UInt8] = Array(feedLines.enumerated().map { "id: \($0.offset + 1)\nevent: call\ndata: \($0.element)\n\n" }.joined().utf8)

func feedBenchmarks() {
    let eventsPerSecond = BenchmarkMetric.custom("events/s", polarity: .prefersLarger, useScalingFactor: false)
    let configuration = Benchmark.Configuration(metrics: [.wallClock, eventsPerSecond], maxDuration: .seconds(20), maxIterations: 10)

    // Target ≥ 50 000 events/s: the stream's bytes to journal values, as a window following a
    // recorder does (SSE framing, then each event's JSON).
    Benchmark("feed: frame and decode 100 000 events of /v1/events", configuration: configuration) { benchmark in
        let started = ContinuousClock.now
        benchmark.startMeasurement()
        var parser = ServerSentEventParser()
        var decoded = 0
        do {
            for output in try parser.feed(feedStream) {
                guard case .event(let event) = output else { continue }
                blackHole(try WireDecoding.event(event.data))
                decoded += 1
            }
        } catch {
            fatalError("the feed does not decode: \(error)")
        }
        benchmark.stopMeasurement()
        precondition(decoded == feedCount)
        benchmark.measurement(eventsPerSecond, Int(Double(feedCount) / (ContinuousClock.now - started).seconds))
    }

    // Baseline: the same lines through Foundation's untyped JSON parser, no framing, no values.
    Benchmark("baseline: JSONSerialization of the same 100 000 lines", configuration: configuration) { benchmark in
        let started = ContinuousClock.now
        benchmark.startMeasurement()
        for line in feedLines { blackHole(try? JSONSerialization.jsonObject(with: Data(line.utf8))) }
        benchmark.stopMeasurement()
        benchmark.measurement(eventsPerSecond, Int(Double(feedCount) / (ContinuousClock.now - started).seconds))
    }

    // Point 11: a backlog of 100 000 records taken in the writer's batches of 1 000, by the
    // queue the writer uses, and by the array it used before (`removeFirst` moved the rest).
    let backlog = Array(0..<100_000)
    let drainConfiguration = Benchmark.Configuration(metrics: [.wallClock], maxDuration: .seconds(20), maxIterations: 20)
    Benchmark("journal writer: drain a 100 000-record backlog in batches of 1 000", configuration: drainConfiguration) { benchmark in
        var queue = FirstInFirstOut<Int>()
        for item in backlog { queue.append(item) }
        benchmark.startMeasurement()
        while !queue.isEmpty { blackHole(queue.takeFirst(1_000)) }
        benchmark.stopMeasurement()
    }
    Benchmark("baseline: the same drain with Array.removeFirst (the writer before)", configuration: drainConfiguration) { benchmark in
        var queue = backlog
        benchmark.startMeasurement()
        while !queue.isEmpty {
            let taken = Array(queue.prefix(1_000))
            queue.removeFirst(taken.count)
            blackHole(taken)
        }
        benchmark.stopMeasurement()
    }
}
