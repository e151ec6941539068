import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Simulator
import Testing

/// A flood of distinct bogus Authorization values through the tap (a scanner, a leaked proxy):
/// each is a 401 and a token the recorder has never seen. The journal keeps rows of their own
/// for at most 1 000 unlabeled tokens and files the rest under "other", so its token count, the
/// process's memory and the file stay bounded however many distinct values arrive.
@Suite("mapitop record under a flood of distinct bogus tokens")
struct RecordFaultTokenFloodTests {
    /// Distinct values sent: 100× the journal's cap of 1 000 unlabeled tokens, in two rounds:
    /// memory is measured after the first fifth and again at the end, and must not grow with
    /// the calls (a debug build on 2 cores answers some 1 000 calls a second).
    static let calls = 100_000
    static let firstRound = 20_000
    static let parallel = 32
    /// Peak resident memory allowed: measured at about 72 MiB over 30 000 calls on a debug
    /// build with 2 cores; a queue that never drained or a table per token would pass it.
    static let rssLimitKiB = 256 * 1_024
    /// How much the peak may rise over the last 80 000 calls: allocator slack, not a per-call
    /// or per-token cost (which would be tens of MiB).
    static let rssGrowthLimitKiB = 32 * 1_024
    /// Each 401 is one failed-call row (a few hundred bytes with its error); 1 KiB a call plus
    /// 4 MiB of schema and WAL is generous yet catches a per-token blow-up.
    static let fileLimitBytes = calls * 1_024 + (4 << 20)

    @Test("100 000 distinct bogus Authorization values through the tap: /healthz tokens ≤ 1 001, peak RSS bounded and flat after the first 20 000, journal size bounded")
    func tokenFlood() async throws {
        // The simulator runs as a process of its own: answering 100 000 calls here would take
        // the test process's cooperative threads from every other test of the run for minutes.
        let simulator = try await SimulatorProcess.start(["--seed", "13", "--quota-per-minute", "1000000"])
        do {
            let home = try RecorderHome()
            defer { home.cleanUp() }
            let recorder = try await RecorderProcess.start(home: home, tap: true, arguments: ["--api-base", simulator.base])
            let tap = try #require(recorder.tapBase)

            var configuration = HTTPClient.Configuration()
            configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: Self.parallel)
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            let first = try await Self.send(0..<Self.firstRound, to: tap, client)
            let written = try await RecordClient.eventually(within: .seconds(60)) {
                let tokens = try await Self.journaledTokens(recorder)
                let lag = try await RecordClient.lag(recorder.adminBase)
                return tokens >= 1_000 && lag == 0
            }
            #expect(written, "the first round never reached the journal")
            let rssAfterFirst = try #require(ProcessMemory.kiB(recorder.pid, field: "VmHWM"))
            let rest = try await Self.send(Self.firstRound..<Self.calls, to: tap, client)
            try await client.shutdown()
            let statuses = first.merging(rest, uniquingKeysWith: +)
            #expect(statuses == [401: Self.calls], "the tap answered \(statuses)")

            // Everything written (all 401s read back), then the bounds.
            let all = try await RecordClient.eventually(within: .seconds(120)) {
                RecordLoopbackTests.failed(try await RecordClient.calls(recorder.adminBase), status: 401).count == Self.calls
            }
            #expect(all, "not every 401 reached the journal")
            let tokens = try await Self.journaledTokens(recorder)
            #expect(tokens <= 1_001, "/healthz counts \(tokens) tokens")
            #expect(tokens >= 1_000, "the cap was not reached: \(tokens) tokens")
            let rss = try #require(ProcessMemory.kiB(recorder.pid, field: "VmHWM"))
            #expect(rss < Self.rssLimitKiB, "peak RSS \(rss) KiB")
            #expect(rss - rssAfterFirst < Self.rssGrowthLimitKiB,
                    "peak RSS rose from \(rssAfterFirst) KiB after \(Self.firstRound) calls to \(rss) KiB after \(Self.calls)")
            let size = ["", "-wal", "-shm"].reduce(0) { total, suffix in
                total + ((try? FileManager.default.attributesOfItem(atPath: home.journal + suffix)[.size] as? Int) ?? 0)
            }
            #expect(size < Self.fileLimitBytes, "journal files total \(size) bytes")
            print("token flood: \(Self.calls) calls, tokens \(tokens), peak RSS \(rssAfterFirst) KiB after \(Self.firstRound), \(rss) KiB at the end, journal \(size) bytes")
            #expect(await recorder.terminate() == 0, "stderr: \(recorder.stderr)")
        }
        // Alive until here: its deinit kills it.
        withExtendedLifetime(simulator) {}
    }

    /// Sends one bogus secret per index through the tap, `parallel` at a time; the statuses.
    static func send(_ indices: Range<Int>, to tap: String, _ client: HTTPClient) async throws -> [Int: Int] {
        try await withThrowingTaskGroup(of: [Int: Int].self) { group in
            for lane in 0..<Self.parallel {
                group.addTask {
                    var counts: [Int: Int] = [:]
                    for index in stride(from: indices.lowerBound + lane, to: indices.upperBound, by: Self.parallel) {
                        var request = HTTPClientRequest(url: tap + "/v2/webhooks/")
                        request.headers.add(name: "Authorization", value: "Bearer bogus-flood-\(index)")
                        let response = try await client.execute(request, timeout: .seconds(30))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        counts[Int(response.status.code), default: 0] += 1
                    }
                    return counts
                }
            }
            var total: [Int: Int] = [:]
            for try await counts in group { total.merge(counts, uniquingKeysWith: +) }
            return total
        }
    }

    static func journaledTokens(_ recorder: RecorderProcess) async throws -> Int {
        let health = try RecordClient.object(try await RecordClient.call(recorder.adminBase + "/healthz").body)
        return health["tokens"] as? Int ?? -1
    }
}
