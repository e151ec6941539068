import ArgumentParser
import Collectors
import Dashboard
import Foundation
import Hummingbird
import Logging
import ManagementAPI
import Monitor
import Screen
import ServiceLifecycle
import Supervision

/// `mapitop watch` (the default): the dashboard over the configured tokens.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "The dashboard: live usage per token and the errors of recent calls (the default).")

    @OptionGroup var options: ConfigOptions
    @OptionGroup var display: DisplayOptions

    @Option(help: ArgumentHelp("Embed a tap listening on HOST:PORT (loopback), forwarding to the API base.", valueName: "host:port"))
    var tap: String?

    func validate() throws {
        if let tap {
            try ListenFlag.requireLoopback(
                try ListenFlag.parse(tap, flag: "--tap"), allowed: false, what: "--tap \(tap)",
                remedy: "run `mapitop tap --allow-remote` for that")
        }
    }

    func run() async throws {
        let configuration = try options.load()
        let environment = ProcessInfo.processInfo.environment
        let logger = try Logging.logger(file: display.logFile ?? Logging.defaultPath(environment: environment), label: "mapitop.watch")
        let monitor = Monitor()
        configuration.tokens.forEach { monitor.register($0.token.reference) }
        let client = ManagementClient(configuration: .init(baseURL: configuration.apiBase), logger: logger)
        let probes = ProbeRunner(
            targets: configuration.tokens.map { ProbeTarget(token: $0.token, request: $0.probeRequest) },
            perMinute: configuration.probesPerMinute,
            perform: ProbeRunner.performing(with: client), sink: monitor.ingest)

        var services: [any Service] = [SupervisedService("the probes", ClosureService { await probes.run() })]
        var tapAddress: String?
        if let tap {
            let address = try ListenAddress(parsing: tap)
            let labels = Dictionary(configuration.tokens.map { ($0.token.fingerprint, $0.token.label) }, uniquingKeysWith: { a, _ in a })
            let tapConfiguration = TapConfiguration(host: address.host, port: address.port, upstream: configuration.apiBase, labels: labels)
            // Listening before the screen starts: a taken port is one line and exit 1, not a
            // dashboard that says "tap 127.0.0.1:8787" over a tap that never ran.
            let server: StartedServer
            do {
                server = try await ServerStartup.start(address: address.description, logger: logger) { onServerRunning in
                    Tap.application(tapConfiguration, logger: logger, onServerRunning: onServerRunning) { record in
                        monitor.ingest(record)
                        probes.observe(record)
                    }
                }
            } catch {
                Diagnostics.fail("--tap: \(error)", exitCode: 1)
            }
            let listening = ListenAddress.describe(host: address.host, port: server.port)
            services.append(SupervisedService("the tap on \(listening)", server))
            tapAddress = listening
        }
        let session = SessionInfo(apiBase: configuration.apiBase, probesPerMinute: configuration.probesPerMinute, tapAddress: tapAddress)
        try await DashboardRunner.run(
            session: session, monitor: monitor, themeName: display.theme ?? configuration.theme, display: display,
            services: services, logger: logger)
    }
}

/// Display options the dashboard commands share.
struct DisplayOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Theme name (default, light, high-contrast, mono) or a path to a theme file.", valueName: "name"))
    var theme: String?

    @Option(help: ArgumentHelp("Show only what matches, e.g. 'token:ingest code:too_long' (see the README).", valueName: "expr"))
    var filter: String?

    @Option(name: .customLong("token"), help: ArgumentHelp("Preset filter on a token label (repeatable).", valueName: "label"))
    var tokens: [String] = []

    @Option(name: .customLong("code"), help: ArgumentHelp("Preset filter on an error code (repeatable).", valueName: "code"))
    var codes: [String] = []

    @Flag(help: "No colours (also when NO_COLOR is set).")
    var noColor = false

    @Flag(help: "ASCII bars and borders only (also in a non-UTF-8 locale).")
    var ascii = false

    @Option(help: ArgumentHelp("Log file (default: $XDG_STATE_HOME/mapitop/mapitop.log).", valueName: "path"))
    var logFile: String?

    func validate() throws {
        _ = try presetFilter()
    }

    /// --filter, --token and --code as one filter; a bad one is a usage error.
    func presetFilter() throws -> Filter {
        var parts = filter.map { [$0] } ?? []
        parts += tokens.map { "token:\(Self.quoted($0))" } + codes.map { "code:\(Self.quoted($0))" }
        do {
            return try Filter(parsing: parts.joined(separator: " "))
        } catch {
            throw ValidationError("--filter: \(error)")
        }
    }

    private static func quoted(_ value: String) -> String {
        value.contains(where: { $0 == " " || $0 == "\"" }) ? "\"" + value.replacingOccurrences(of: "\"", with: "\\\"") + "\"" : value
    }
}

/// A service made of an async closure, for work that should stop with the dashboard.
struct ClosureService: Service {
    let body: @Sendable () async -> Void
    init(_ body: @escaping @Sendable () async -> Void) { self.body = body }
    func run() async throws {
        await cancelWhenGracefulShutdown { await body() }
    }
}
