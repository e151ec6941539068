import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing
@testable import Simulator

@Suite("Synthetic traffic")
struct TrafficTests {
    func firstCalls(seed: UInt64, count: Int = 200) -> [[PlannedCall]] {
        SyntheticJob.standard(seed: seed).map { job in
            var plan = job.plan(seed: seed)
            return (0..<count).compactMap { _ in plan.next() }
        }
    }

    @Test("the same seed gives the same sequence of calls; another seed does not")
    func deterministic() {
        #expect(firstCalls(seed: 42) == firstCalls(seed: 42))
        #expect(firstCalls(seed: 42) != firstCalls(seed: 43))
        #expect(SyntheticJob.standard(seed: 42) == SyntheticJob.standard(seed: 42))
    }

    @Test("the steady job averages about 20 calls a minute; the bursty one bursts past 60")
    func rates() {
        let calls = firstCalls(seed: 5, count: 400)
        let steady = calls[0].reduce(Duration.zero) { $0 + $1.delay }
        let perMinute = 400 / (Double(steady.components.seconds) / 60)
        #expect((18...22).contains(perMinute))
        let burst = calls[1].dropFirst().prefix(75).reduce(Duration.zero) { $0 + $1.delay }
        #expect(burst < .seconds(60))
    }

    @Test("live: each job meets the answer it exists for")
    func live() async throws {
        let seed: UInt64 = 3
        let jobs = SyntheticJob.standard(seed: seed)
        let configuration = SimulatorConfiguration(host: "127.0.0.1", port: 0, seed: seed,
                                                   tokens: jobs.filter(\.isRegistered).map(\.token))
        let statuses = Mutex<[SyntheticJob.Kind: Set<Int>]>([:])
        try await buildApplication(configuration).test(.live) { server in
            let port = server.port!
            let runner = TrafficRunner(
                jobs: jobs, baseURL: { "http://127.0.0.1:\(port)" }, seed: seed, timeScale: 0.002,
                httpClient: HTTPClient.shared, logger: Logger(label: "test")
            ) { kind, _, status in
                if let status { statuses.withLock { _ = $0[kind, default: []].insert(status) } }
            }
            let expected: [SyntheticJob.Kind: Int] = [.steady: 200, .bursty: 429, .sloppy: 400, .revoked: 401, .viewer: 403]
            let task = Task { try await runner.run() }
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                let done = statuses.withLock { seen in expected.allSatisfy { seen[$0.key]?.contains($0.value) == true } }
                if done { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            task.cancel()
            _ = try? await task.value
            let seen = statuses.withLock { $0 }
            for (kind, status) in expected {
                #expect(seen[kind]?.contains(status) == true, "\(kind) never got \(status): \(seen[kind] ?? [])")
            }
            #expect(seen[.revoked] == [401])
        }
    }
}
