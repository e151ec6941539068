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
    /// Distinct values sent: 30× the journal's cap of 1 000 unlabeled tokens. A debug build on
    /// 2 cores answers about 1 000 calls a second, so 100 000 would take minutes; 30 000 is
    /// far past the cap and fits in well under a minute.
    static let calls = 30_000
    static let parallel = 32
    /// Peak resident memory allowed. Measured on a debug build with 2 cores: 58 MiB after 2 000
    /// such calls, 123 MiB peak over 30 000 alone and 152 MiB beside other suites (32
    /// connections, the writer's queue trailing the tap). 256 MiB leaves room for a slower
    /// machine, while a queue that never drains would grow past it.
    static let rssLimitKiB = 256 * 1_024
    /// Each 401 is one failed-call row (a few hundred bytes with its error); 1 KiB a call plus
    /// 4 MiB of schema and WAL is generous yet catches a per-token blow-up.
    static let fileLimitBytes = calls * 1_024 + (4 << 20)

    @Test("30 000 distinct bogus Authorization values through the tap: /healthz tokens ≤ 1 001, peak RSS under 256 MiB, journal size bounded")
    func tokenFlood() async throws {
        let simulator = buildApplication(SimulatorConfiguration(port: 0, seed: 13, tokens: [], quotaPerMinute: 1_000_000))
        try await simulator.test(.live) { server in
            let home = try RecorderHome()
            defer { home.cleanUp() }
            let recorder = try await RecorderProcess.start(home: home, tap: true, arguments: ["--api-base", "http://127.0.0.1:\(server.port!)"])
            let tap = try #require(recorder.tapBase)

            var configuration = HTTPClient.Configuration()
            configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: Self.parallel)
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            let statuses = try await withThrowingTaskGroup(of: [Int: Int].self) { group in
                for lane in 0..<Self.parallel {
                    group.addTask {
                        var counts: [Int: Int] = [:]
                        for index in stride(from: lane, to: Self.calls, by: Self.parallel) {
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
            try await client.shutdown()
            #expect(statuses == [401: Self.calls], "the tap answered \(statuses)")

            // Everything written (all 401s read back), then the bounds.
            let written = try await RecordClient.eventually(within: .seconds(60)) {
                RecordLoopbackTests.failed(try await RecordClient.calls(recorder.adminBase), status: 401).count == Self.calls
            }
            #expect(written)
            let health = try RecordClient.object(try await RecordClient.call(recorder.adminBase + "/healthz").body)
            let tokens = try #require(health["tokens"] as? Int)
            #expect(tokens <= 1_001, "/healthz counts \(tokens) tokens")
            #expect(tokens >= 1_000, "the cap was not reached: \(tokens) tokens")
            let rss = try #require(Self.memoryKiB(recorder.pid, field: "VmHWM"))
            #expect(rss < Self.rssLimitKiB, "peak RSS \(rss) KiB")
            let size = ["", "-wal", "-shm"].reduce(0) { total, suffix in
                total + ((try? FileManager.default.attributesOfItem(atPath: home.journal + suffix)[.size] as? Int) ?? 0)
            }
            #expect(size < Self.fileLimitBytes, "journal files total \(size) bytes")
            print("token flood: \(Self.calls) calls, tokens \(tokens), peak RSS \(rss) KiB, journal \(size) bytes")
            #expect(await recorder.terminate() == 0, "stderr: \(recorder.stderr)")
        }
    }

    /// A figure of /proc/PID/status in KiB: VmHWM is the peak resident size over the process's life.
    static func memoryKiB(_ pid: pid_t, field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") })
        else { return nil }
        return line.split(separator: " ").compactMap { Int($0) }.first
    }
}
