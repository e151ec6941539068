import ArgumentParser
import Collectors
import ConfigFile
import Dashboard
import Foundation
import Logging
import ManagementAPI
import Monitor

/// `mapitop snapshot`: one probe round, the token table, and a Nagios exit code.
struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Probe every configured token once, print the table, exit by the worst state.",
        discussion: """
            Exit codes (Nagios plugin convention): 0 all tokens OK, 1 a token at or past 70% \
            of its quota, 2 a token at or past 90%, rate limited or unauthorized, 3 a token \
            unreachable. Each token costs one call of its quota.
            """)

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Print JSON: {\"tokens\":[…],\"errors\":[…]}.")
    var json = false

    @Option(help: ArgumentHelp("Write a log of the calls to this file.", valueName: "path"))
    var logFile: String?

    func run() async throws {
        let configuration = try options.load()
        guard !configuration.tokens.isEmpty else {
            Diagnostics.fail("\(configuration.path ?? ConfigLoader.defaultPath(environment: ProcessInfo.processInfo.environment)): "
                + "no [[token]] configured; see the README's configuration section", exitCode: ExitCodes.config)
        }
        let logger = try Logging.logger(file: logFile, label: "mapitop.snapshot")
        let client = ManagementClient(
            configuration: .init(baseURL: configuration.apiBase, requestTimeout: .seconds(15)), logger: logger)
        let targets = configuration.tokens.map { ProbeTarget(token: $0.token, request: $0.probeRequest) }
        let records = await ProbeRunner.probeRound(targets, perform: ProbeRunner.performing(with: client))

        var monitor = MonitorCore()
        configuration.tokens.forEach { monitor.register($0.token.reference) }
        records.forEach { monitor.ingest($0) }
        let snapshot = monitor.snapshot(now: Date())
        StandardOutput.line(json ? SnapshotReport.json(snapshot) : SnapshotReport.text(snapshot))
        throw ExitCode(SnapshotReport.exitCode(for: snapshot.tokens.map(\.state)))
    }
}
