import AsyncHTTPClient
import Benchmark
import Foundation
import Hummingbird
import Logging
import ManagementAPI
import NIOCore
import Simulator

/// The simulator on a loopback port for the whole run, with a quota no load reaches.
actor LoopbackSimulator {
    static let shared = LoopbackSimulator()
    static let secret = "bench-secret"
    private var port: Int?

    func base() async -> String {
        if let port { return "http://127.0.0.1:\(port)" }
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = buildApplication(
            SimulatorConfiguration(port: 0, tokens: [SimulatedToken(label: "bench", secret: Self.secret)], quotaPerMinute: 100_000_000),
            logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        ) { channel in continuation.yield(channel.localAddress?.port ?? 0) }
        Task { try await app.run() }
        let bound = await stream.first { _ in true } ?? 0
        port = bound
        return "http://127.0.0.1:\(bound)"
    }
}

/// 1 000 calls, 16 at a time.
func load(_ call: @escaping @Sendable () async -> Void) async {
    await withTaskGroup(of: Void.self) { group in
        for _ in 0..<16 {
            group.addTask { for _ in 0..<(1_000 / 16) { await call() } }
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(10), maxIterations: 30)

    Benchmark("loopback: 1 000 calls through the core client to the simulator") { benchmark in
        let base = await LoopbackSimulator.shared.base()
        let client = ManagementClient(configuration: .init(baseURL: base), logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
        let token = Token(label: "bench", secret: Secret(LoopbackSimulator.secret))
        benchmark.startMeasurement()
        await load { _ = await client.send(.listMedia(siteID: "Abcd1234", pageLength: 1), token: token) }
    }

    // Baseline: the same calls made with AsyncHTTPClient alone (no decoding, no record).
    Benchmark("baseline: 1 000 raw AsyncHTTPClient calls to the simulator") { benchmark in
        let base = await LoopbackSimulator.shared.base()
        benchmark.startMeasurement()
        await load {
            var request = HTTPClientRequest(url: base + "/v2/sites/Abcd1234/media/?page_length=1")
            request.headers.add(name: "Authorization", value: "Bearer " + LoopbackSimulator.secret)
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(10)) {
                _ = try? await response.body.collect(upTo: 1 << 20)
            }
        }
    }

    Benchmark("simulator: answer one call in process (no HTTP)") { benchmark in
        let api = SimulatedAPI(configuration: SimulatorConfiguration(
            tokens: [SimulatedToken(label: "bench", secret: LoopbackSimulator.secret)], quotaPerMinute: 100_000_000))
        let request = SimulatedRequest(method: "GET", path: "/v2/sites/Abcd1234/media/", query: ["page_length": "1"],
                                       authorization: "Bearer " + LoopbackSimulator.secret)
        for _ in benchmark.scaledIterations { blackHole(api.respond(to: request)) }
    }
}
