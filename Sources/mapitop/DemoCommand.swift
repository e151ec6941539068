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
import Supervision

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

        // Each server listens before anything uses it; one that cannot is one line and exit 1
        // (waiting for a port that never comes would hang the demo).
        let simulatorConfiguration = SimulatorConfiguration(
            host: "127.0.0.1", port: 0, seed: seed, tokens: jobs.filter(\.isRegistered).map(\.token), faultRate: 0.02)
        let simulator: StartedServer
        do {
            simulator = try await ServerStartup.start(address: "127.0.0.1:0", logger: logger) { onServerRunning in
                buildApplication(simulatorConfiguration, logger: logger, onServerRunning: onServerRunning)
            }
        } catch {
            Diagnostics.fail("the embedded simulator: \(error)", exitCode: 1)
        }
        let apiBase = "http://127.0.0.1:\(simulator.port)"

        let monitor = Monitor()
        let tokens = jobs.map { Token(label: $0.kind.rawValue, secret: Secret($0.token.secret)) }
        tokens.forEach { monitor.register($0.reference) }
        let client = ManagementClient(configuration: .init(baseURL: apiBase), logger: logger)
        let probes = ProbeRunner(
            targets: zip(jobs, tokens).map { ProbeTarget(token: $1, request: .probe(siteID: $0.site)) },
            perMinute: 2, seed: seed,
            perform: ProbeRunner.performing(with: client), sink: monitor.ingest)

        let labels = Dictionary(tokens.map { ($0.fingerprint, $0.label) }, uniquingKeysWith: { a, _ in a })
        let tap: StartedServer
        do {
            tap = try await ServerStartup.start(address: "127.0.0.1:0", logger: logger) { onServerRunning in
                Tap.application(
                    TapConfiguration(host: "127.0.0.1", port: 0, upstream: apiBase, labels: labels), logger: logger,
                    onServerRunning: onServerRunning
                ) { record in
                    monitor.ingest(record)
                    probes.observe(record)
                }
            }
        } catch {
            await simulator.stop()
            Diagnostics.fail("the embedded tap: \(error)", exitCode: 1)
        }
        let tapAddress = "127.0.0.1:\(tap.port)"

        let traffic = TrafficRunner(jobs: jobs, baseURL: { "http://\(tapAddress)" }, seed: seed,
                                    httpClient: SharedHTTPClient.shared, logger: logger)
        let session = SessionInfo(apiBase: apiBase, probesPerMinute: 2, tapAddress: tapAddress)
        // Servers first: a group shuts its services down in reverse order, so the callers
        // stop before what they call.
        try await DashboardRunner.run(
            session: session, monitor: monitor, themeName: display.theme ?? "default", display: display,
            services: [SupervisedService("the embedded simulator", simulator), SupervisedService("the embedded tap", tap),
                       SupervisedService("the synthetic jobs", traffic),
                       SupervisedService("the probes", ClosureService { await probes.run() })],
            logger: logger)
    }
}
