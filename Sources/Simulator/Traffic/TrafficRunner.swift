import AsyncHTTPClient
import Logging
import NIOCore
import ServiceLifecycle

/// Runs the synthetic jobs against a base URL (the simulator itself, or a tap in front of
/// it) until cancelled or shut down gracefully.
public struct TrafficRunner: Service {
    /// What one call got back: the status, or nil when there was no answer.
    public typealias Observer = @Sendable (SyntheticJob.Kind, PlannedCall, Int?) -> Void

    public let jobs: [SyntheticJob]
    /// Where to send the calls; awaited once, so it can wait for a server to bind its port.
    private let baseURL: @Sendable () async -> String
    public let seed: UInt64
    /// Multiplies every delay: 1 is real time; tests run faster.
    public let timeScale: Double
    private let http: HTTPClient
    private let logger: Logger
    private let observer: Observer

    public init(jobs: [SyntheticJob], baseURL: @escaping @Sendable () async -> String, seed: UInt64, timeScale: Double = 1,
                httpClient: HTTPClient, logger: Logger, observer: @escaping Observer = { _, _, _ in })
    {
        self.jobs = jobs
        self.baseURL = baseURL
        self.seed = seed
        self.timeScale = timeScale
        self.http = httpClient
        self.logger = logger
        self.observer = observer
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var trimmed = await baseURL()
            while trimmed.hasSuffix("/") { trimmed.removeLast() }
            let base = trimmed
            await withTaskGroup(of: Void.self) { group in
                for job in jobs {
                    group.addTask { await run(job, base: base) }
                }
            }
        }
    }

    private func run(_ job: SyntheticJob, base: String) async {
        var plan = job.plan(seed: seed)
        while !Task.isCancelled, let call = plan.next() {
            do {
                try await Task.sleep(for: call.delay * timeScale)
            } catch {
                return
            }
            observer(job.kind, call, await send(call, as: job, base: base))
        }
    }

    private func send(_ call: PlannedCall, as job: SyntheticJob, base: String) async -> Int? {
        var request = HTTPClientRequest(url: base + call.target)
        request.method = .init(rawValue: call.method)
        request.headers.add(name: "Authorization", value: "Bearer " + job.token.secret)
        request.headers.add(name: "User-Agent", value: SyntheticJob.agentProduct + "/" + job.script(for: call))
        if job.asksForGzip { request.headers.add(name: "Accept-Encoding", value: "gzip, deflate") }
        if let body = call.body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        do {
            let response = try await http.execute(request, timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 20)
            return Int(response.status.code)
        } catch {
            logger.debug("synthetic call failed", metadata: ["job": "\(job.kind.rawValue)", "error": "\(type(of: error))"])
            return nil
        }
    }
}
