import ArgumentParser
import AsyncHTTPClient
import Collectors
import Dashboard
import Foundation
import Hummingbird
import Logging
import ManagementAPI
import Monitor
import Simulator

/// `mapitop demo`: everything on an embedded default, no account needed. The simulator on
/// a free loopback port, a tap in front of it, the synthetic jobs calling through the tap,
/// probes of the jobs' tokens against the simulator, and the dashboard on top.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "The dashboard on an embedded simulator with synthetic jobs; no account needed.")

    @Option(help: "Seed of the simulator and its jobs: the same seed, the same run.")
    var seed: UInt64 = 1

    @OptionGroup var display: DisplayOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let logger = try Logging.logger(file: display.logFile ?? Logging.defaultPath(environment: environment), label: "mapitop.demo")
        let jobs = SyntheticJob.standard(seed: seed)

        let simulatorPort = AsyncStream.makeStream(of: Int.self)
        let simulator = buildApplication(
            SimulatorConfiguration(host: "127.0.0.1", port: 0, seed: seed, tokens: jobs.filter(\.isRegistered).map(\.token),
                                   faultRate: 0.02),
            logger: logger
        ) { channel in simulatorPort.continuation.yield(channel.localAddress?.port ?? 0) }
        let simulatorTask = Task { try await simulator.run() }
        defer { simulatorTask.cancel() }
        guard let simPort = await simulatorPort.stream.first(where: { _ in true }), simPort > 0 else {
            Diagnostics.fail("the embedded simulator could not start (see the log)", exitCode: 1)
        }
        let apiBase = "http://127.0.0.1:\(simPort)"

        let monitor = Monitor()
        let tokens = jobs.map { Token(label: $0.kind.rawValue, secret: Secret($0.token.secret)) }
        tokens.forEach { monitor.register($0.reference) }
        let client = ManagementClient(configuration: .init(baseURL: apiBase), logger: logger)
        let probes = ProbeRunner(
            targets: zip(jobs, tokens).map { ProbeTarget(token: $1, request: .probe(siteID: $0.site)) },
            perMinute: 2, seed: seed,
            perform: ProbeRunner.performing(with: client), sink: monitor.ingest)

        let tapPort = AsyncStream.makeStream(of: Int.self)
        let labels = Dictionary(tokens.map { ($0.fingerprint, $0.label) }, uniquingKeysWith: { a, _ in a })
        let tap = Tap.application(
            TapConfiguration(host: "127.0.0.1", port: 0, upstream: apiBase, labels: labels), logger: logger,
            onServerRunning: { channel in tapPort.continuation.yield(channel.localAddress?.port ?? 0) }
        ) { record in
            monitor.ingest(record)
            probes.observe(record)
        }
        let tapTask = Task { try await tap.run() }
        defer { tapTask.cancel() }
        guard let tapListening = await tapPort.stream.first(where: { _ in true }), tapListening > 0 else {
            Diagnostics.fail("the embedded tap could not start (see the log)", exitCode: 1)
        }

        let traffic = TrafficRunner(jobs: jobs, baseURL: { "http://127.0.0.1:\(tapListening)" }, seed: seed,
                                    httpClient: SharedHTTPClient.shared, logger: logger)
        let session = SessionInfo(apiBase: apiBase, probesPerMinute: 2, tapAddress: "127.0.0.1:\(tapListening)")
        try await DashboardRunner.run(
            session: session, monitor: monitor, themeName: display.theme ?? "default", display: display,
            services: [traffic, ClosureService { await probes.run() }], logger: logger)
    }
}
