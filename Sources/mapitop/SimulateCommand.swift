import ArgumentParser
import AsyncHTTPClient
import Hummingbird
import Logging
import ManagementAPI
import ServiceLifecycle
import Simulator
import Supervision

/// `mapitop simulate`: the simulated API alone, headless, until Ctrl-C or SIGTERM.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run the embedded simulator of the Management API v2 on loopback.",
        discussion: """
            Answers like the real API: quotas of 60 calls/minute per token with the jw-request-* \
            headers, every error code of the spec with its wording, 400s with one entry per bad \
            field. Point your own scripts at it to see how they handle 429s and 400s. \
            Stop it with Ctrl-C.
            """)

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one and prints it).")
    var port = 8080

    @Option(help: "Seed for ids, faults and synthetic traffic: the same seed gives the same run.")
    var seed: UInt64 = 1

    @Option(name: .customLong("token"), help: ArgumentHelp(
        "A token the simulator accepts, as LABEL=SECRET[:ROLE]; ROLE is admin (default) or viewer. Repeatable.",
        valueName: "LABEL=SECRET[:ROLE]"))
    var tokens: [String] = []

    @Flag(help: "Run the synthetic jobs (steady, bursty, sloppy, revoked, viewer) against the simulator.")
    var traffic = false

    @Option(help: "Share of calls answered with a 500, 502, 503 or 504, from 0 to 1.")
    var faultRate = 0.0

    @Option(help: "Service time added to every answer, in milliseconds.")
    var latencyMs = 0

    @Option(help: "Accepted calls per token per minute before 429s; the real API's is 60. Raise it for load tests.")
    var quotaPerMinute = 60

    func validate() throws {
        guard (0...1).contains(faultRate) else { throw ValidationError("--fault-rate must be between 0 and 1") }
        guard latencyMs >= 0 else { throw ValidationError("--latency-ms must not be negative") }
        guard quotaPerMinute > 0 else { throw ValidationError("--quota-per-minute must be positive") }
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        for token in tokens {
            do { _ = try SimulatedToken(argument: token) } catch { throw ValidationError("--token: \(error)") }
        }
    }

    func run() async throws {
        let logger = Logger(label: "mapitop.simulate")
        var simulated = try tokens.map { try SimulatedToken(argument: $0) }
        let jobs = traffic ? SyntheticJob.standard(seed: seed) : []
        simulated += jobs.filter(\.isRegistered).map(\.token)
        let configuration = SimulatorConfiguration(
            host: host, port: port, seed: seed, tokens: simulated, faultRate: faultRate, latency: .milliseconds(latencyMs),
            quotaPerMinute: quotaPerMinute)

        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        var services: [any Service] = []
        if traffic {
            let host = self.host
            services.append(TrafficRunner(
                jobs: jobs,
                baseURL: { "http://\(host):\(await ports.first { _ in true } ?? 0)" },
                seed: seed, httpClient: HTTPClient.shared, logger: logger))
        }
        // A port that is taken is one line naming it and exit 1, not a stack of NIO's words.
        let server: StartedServer
        do {
            server = try await ServerStartup.start(address: "\(host):\(port)", logger: logger) { onServerRunning in
                buildApplication(configuration, services: services, logger: logger, onServerRunning: onServerRunning)
            }
        } catch {
            Diagnostics.fail("simulate: \(error)", exitCode: 1)
        }
        portSink.yield(server.port)
        portSink.finish()
        let lines = ["mapitop simulate: listening on http://\(configuration.host):\(server.port)",
                     "tokens: " + configuration.tokens.map { "\($0.label) (\($0.role.rawValue))" }.joined(separator: ", ")]
        await HeadlessServer.run("the simulator", server, logger: logger) { lines.forEach(StandardOutput.line) }
    }
}
