import ArgumentParser
import ConfigFile
import Export
import Foundation
import Journal
import ManagementAPI
import Monitor
import TextSafety
import Wire

/// `mapitop export`: journaled calls to stdout as JSON Lines, CSV or HAR (DESIGN.md section
/// 10), from the local journal (read beside a running recorder) or a recorder's admin server.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write journaled calls to stdout as JSON Lines, CSV or HAR.",
        discussion: """
            Failed calls come in full (errors down to the field, request bodies up to 64 KiB, \
            marked when cut); successful calls as the 10-second buckets the journal keeps (HAR \
            lists failed calls only and says how many successes it leaves out). Authorization \
            is always written as Bearer $JWP_SECRET_<LABEL>, never a secret. Times: 2h, -30m, \
            03:10, 2026-11-25 03:10, or ISO 8601 with a zone.
            """)

    @Option(help: ArgumentHelp("Start of the range: a duration back from --until (1h, 7d) or a time.", valueName: "time"))
    var since = "1h"

    @Option(help: ArgumentHelp("End of the range (default: now).", valueName: "time"))
    var until: String?

    @Option(help: ArgumentHelp("Only calls this filter keeps (the dashboard's language, e.g. 'status:4xx token:ingest').", valueName: "expr"))
    var filter = ""

    @Option(help: ArgumentHelp("jsonl, csv or har.", valueName: "format"))
    var format = ExportFormat.jsonl

    @Option(help: ArgumentHelp("The journal file (default: the live recorder's, else $XDG_STATE_HOME/mapitop/journal.sqlite).",
                               valueName: "path"))
    var journal: String?

    @Option(help: ArgumentHelp("A recorder's admin server instead of a local journal, e.g. http://127.0.0.1:8788.", valueName: "url"))
    var source: String?

    @OptionGroup var options: ConfigOptions

    func validate() throws {
        let now = Date()
        do { _ = try TimeExpression.parse(since, now: now) } catch { throw ValidationError("--since: \(error)") }
        if let until {
            do { _ = try TimeExpression.parse(until, now: now) } catch { throw ValidationError("--until: \(error)") }
        }
        do { _ = try Filter(parsing: filter) } catch { throw ValidationError("--filter: \(error)") }
        if journal != nil, source != nil { throw ValidationError("--journal and --source are two sources; give one") }
        if let source {
            guard let url = URL(string: source), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                throw ValidationError("--source must be an http or https URL such as http://127.0.0.1:8788")
            }
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let now = Date()
        let to = try until.map { try TimeExpression.parse($0, now: now) } ?? now
        // A duration counts back from the range's end: `--until 03:00` alone is 02:00–03:00.
        let from = try TimeExpression.parse(since, now: to)
        guard from <= to else { Diagnostics.fail("--since is after --until", exitCode: ExitCodes.usage) }
        let exporter = Exporter(from: from, to: to, filter: try Filter(parsing: filter), format: format, apiBase: apiBase(environment))
        let output = FileHandle.standardOutput
        let sink: (String) throws -> Void = { output.write(Data($0.utf8)) }
        if let source {
            do {
                try await exporter.run(source: source, httpClient: SharedHTTPClient.shared, into: sink)
            } catch {
                Diagnostics.fail(TextEscapes.cell("\(error)"), exitCode: ExitCodes.unavailable)
            }
            return
        }
        let path = journal.map(AbsolutePath.of) ?? RuntimeFile.read(environment: environment)?.journal ?? StateFolder.defaultJournalPath(environment: environment)
        guard FileManager.default.fileExists(atPath: path) else {
            Diagnostics.fail(TextEscapes.cell("no journal at \(path): run `mapitop record`, or name one with --journal"), exitCode: ExitCodes.noInput)
        }
        do {
            let reader = try JournalReader(path: path)
            defer { try? reader.close() }
            try await exporter.run(reader: reader, into: sink)
        } catch let error as JournalError {
            Diagnostics.fail(TextEscapes.cell(error.description), exitCode: error.exitCode)
        } catch {
            Diagnostics.fail(TextEscapes.cell("reading \(path): \(error)"), exitCode: ExitCodes.ioError)
        }
    }

    /// HAR URLs and curl commands name the real API: `--api-base`, else the configuration's,
    /// else the default. A configuration that does not load is not needed for an export.
    private func apiBase(_ environment: [String: String]) -> String {
        if let apiBase = options.apiBase { return apiBase }
        if let configuration = try? ConfigLoader.load(path: options.config, environment: environment) { return configuration.apiBase }
        return ManagementClient.Configuration.defaultBaseURL
    }
}

/// `--format jsonl|csv|har`: the library knows no command-line parser, the command does.
extension ExportFormat: ExpressibleByArgument {}
