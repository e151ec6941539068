import ArgumentParser
import AsyncHTTPClient
import Collectors
import ConfigFile
import Dashboard
import Foundation
import Hummingbird
import Logging
import ManagementAPI
import Monitor
import Recorder
import Screen
import Simulator
import Supervision

/// `mapitop demo`: everything on an embedded default, no account needed. The simulator on
/// a free loopback port, an embedded recorder (tap, probes, a temporary journal, the admin
/// server) in front of it, the synthetic jobs calling through the tap, and the dashboard on top.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "The dashboard on an embedded simulator with synthetic jobs; no account needed.")

    @Option(help: "Seed of the simulator and its jobs: the same seed, the same run.")
    var seed: UInt64 = 1

    @Option(name: .customLong("fault-rate"), help: "Share of calls the simulator answers with an injected 5xx (0 to 1).")
    var faultRate: Double = 0.02

    @OptionGroup var display: DisplayOptions

    func validate() throws {
        guard (0...1).contains(faultRate) else { throw ValidationError("--fault-rate must be between 0 and 1, got \(faultRate)") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let logger = try Logging.logger(file: display.logFile ?? Logging.defaultPath(environment: environment), label: "mapitop.demo")
        let jobs = SyntheticJob.standard(seed: seed)
        // A bad theme ends the demo before anything starts: exiting later would leave the
        // embedded recorder's temporary journal behind.
        let theme = try DashboardRunner.loadTheme(display.theme ?? "default", environment: environment)

        // Each server listens before anything uses it; one that cannot is one line and exit 1
        // (waiting for a port that never comes would hang the demo).
        let simulatorConfiguration = SimulatorConfiguration(
            host: "127.0.0.1", port: 0, seed: seed, tokens: jobs.filter(\.isRegistered).map(\.token), faultRate: faultRate)
        let simulator: StartedServer
        do {
            simulator = try await ServerStartup.start(address: "127.0.0.1:0", logger: logger) { onServerRunning in
                buildApplication(simulatorConfiguration, logger: logger, onServerRunning: onServerRunning)
            }
        } catch {
            Diagnostics.fail("the embedded simulator: \(error)", exitCode: 1)
        }
        let apiBase = "http://127.0.0.1:\(simulator.port)"

        let tokens = jobs.map { Token(label: $0.kind.rawValue, secret: Secret($0.token.secret)) }

        // The demo records as `mapitop record` does, into a journal of its own that goes
        // with it (never the user's): the probes, the tap and the admin server are the
        // recorder's, and the dashboard is a viewer attached to it, time travel included.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-demo-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        var options = RecordingOptions(
            journalPath: folder + "/journal.sqlite", admin: try ListenAddress(parsing: "127.0.0.1:0"),
            tap: try ListenAddress(parsing: "127.0.0.1:0"), upstream: apiBase,
            probes: zip(jobs, tokens).map { ProbeTarget(token: $1, request: .probe(siteID: $0.site)) }, probesPerMinute: 2,
            labels: Dictionary(tokens.map { ($0.fingerprint, $0.label) }, uniquingKeysWith: { a, _ in a }))
        options.probeSeed = seed
        // The synthetic jobs all run in this process: their User-Agents name their scripts.
        options.jobRules = try SyntheticJob.scripts.map { script in
            try JobRule(name: script, pattern: "^" + NSRegularExpression.escapedPattern(for: SyntheticJob.agentProduct + "/" + script) + "$")
        }
        let recording: Recording
        do {
            recording = try await Recording.start(options, logger: logger) { line in
                logger.warning("\(line)")
            }
        } catch {
            await simulator.stop()
            try? FileManager.default.removeItem(atPath: folder)
            Diagnostics.fail("the embedded recorder: \(Sanitizer.clean(error.description))", exitCode: error.exitCode)
        }
        let tapAddress = recording.tapAddress ?? ""

        let traffic = TrafficRunner(jobs: jobs, baseURL: { "http://\(tapAddress)" }, seed: seed,
                                    httpClient: SharedHTTPClient.shared, logger: logger)
        // The synthetic jobs are the demo's own: quitting never asks about them.
        let setup = ViewerSetup.make(
            local: ViewerSetup.embedded(recording), remotes: [], registered: tokens.map(\.reference), mode: .embedded(recording.adminAddress),
            recording: recording, runtimeJournal: nil)
        let session = SessionInfo(apiBase: apiBase, probesPerMinute: 2, tapAddress: tapAddress, viewer: .embedded(recording.adminAddress))
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            // Servers first: a group shuts its services down in reverse order, so the callers
            // stop before what they call.
            try await DashboardRunner.run(
                session: session, monitor: setup.viewer.monitor, theme: theme, display: display,
                services: [SupervisedService("the embedded simulator", simulator)] + setup.services
                    + [SupervisedService("the synthetic jobs", traffic)],
                journal: recording.reader, viewer: setup.hooks, logger: logger)
        } catch {
            await setup.finish(environment: environment)
            throw error
        }
        await setup.finish(environment: environment)
    }
}
