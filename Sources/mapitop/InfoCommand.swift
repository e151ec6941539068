import ArgumentParser
import Collectors
import ConfigFile
import Dashboard
import Feed
import Foundation
import Journal
import Recorder
import Screen
import Wire

/// `mapitop info`: the paths mapitop uses, the journal and any live recorder, and the
/// terminal it sees. Never a secret.
struct InfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Show the paths mapitop uses, the journal, any live recorder, and the terminal it sees.")

    @Option(help: ArgumentHelp("The configuration file to report on.", valueName: "path"))
    var config: String?

    @Option(help: ArgumentHelp("The journal to report on (default: the live recorder's, else $XDG_STATE_HOME/mapitop/journal.sqlite).",
                               valueName: "path"))
    var journal: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let path = config ?? ConfigLoader.defaultPath(environment: environment)
        var lines = ["config      \(path) (\(FileManager.default.fileExists(atPath: path) ? "present" : "absent: defaults, no tokens"))"]
        if let configuration = try? ConfigLoader.load(path: config, environment: environment) {
            lines.append("api base    \(configuration.apiBase)")
            lines.append("tokens      \(configuration.tokens.map { "\($0.token.label) \($0.token.fingerprint)" }.joined(separator: ", "))")
            lines.append("probes      \(configuration.probesPerMinute)/min per token")
            lines.append("theme       \(configuration.theme)")
        } else {
            lines.append("config      does not load: run `mapitop snapshot` to see why")
        }
        lines.append("themes      " + ThemeLocator.searchPath(environment: environment).joined(separator: ", "))
        lines.append("log         \(Logging.defaultPath(environment: environment))")
        let journal = self.journal.map(AbsolutePath.of)
        let recorder = await LiveRecorder.find(journal: journal, environment: environment)
        lines.append("journal     " + JournalSummary.describe(
            path: journal ?? recorder?.runtime.journal ?? StateFolder.defaultJournalPath(environment: environment)))
        // Every live recorder of this user, whatever its journal: the one a window would attach to first.
        var live = RuntimeFile.all(environment: environment)
        if let recorder, !live.contains(recorder.runtime) { live.insert(recorder.runtime, at: 0) }
        if live.isEmpty { lines.append("recorder    none running") }
        for runtime in live {
            let found = runtime == recorder?.runtime ? recorder! : await LiveRecorder.asking(runtime)
            lines.append("recorder    pid \(runtime.pid) · journal \(runtime.journal) · admin http://\(runtime.admin) · /healthz \(found.health)")
        }
        lines.append("runtime     \(RuntimeFile.path(journal: journal, environment: environment))")
        lines.append(contentsOf: AuthoritySummary.lines(AuthorityFiles(stateFolder: StateFolder.path(environment: environment))))
        lines.append("TERM        \(environment["TERM"] ?? "(unset)")")
        lines.append("colors      \(TerminalCapabilities.colors().map(String.init) ?? "unknown")"
            + (environment["NO_COLOR"].map { $0.isEmpty ? "" : " (NO_COLOR set: monochrome)" } ?? ""))
        lines.append("locale      \(TerminalCapabilities.codeset()) \(TerminalCapabilities.isUTF8() ? "(UTF-8 glyphs)" : "(ASCII glyphs)")")
        StandardOutput.line(lines.map(Sanitizer.clean).joined(separator: "\n"))
    }
}

/// One line about a journal file: its size and its oldest record, read without its lock.
enum JournalSummary {
    static func describe(path: String) -> String {
        guard FileManager.default.fileExists(atPath: path) else { return "\(path) (absent)" }
        let reader: JournalReader
        do {
            reader = try JournalReader(path: path)
        } catch {
            return "\(path) (cannot be read: \(error))"
        }
        defer { try? reader.close() }
        let size = bytes(reader.fileSize)
        do {
            guard let oldest = try reader.oldestRecordTime() else { return "\(path) (\(size), empty)" }
            return "\(path) (\(size), oldest record \(oldest.formatted(.iso8601)))"
        } catch {
            return "\(path) (\(size), cannot be read: \(error))"
        }
    }

    /// Binary units, as `--max-size` takes them.
    static func bytes(_ count: Int64) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB"]
        guard count >= 1_024 else { return "\(count) bytes" }
        var value = Double(count) / 1_024
        var unit = 0
        while value >= 1_024, unit < units.count - 1 {
            value /= 1_024
            unit += 1
        }
        return String(format: "%.1f", value) + " " + units[unit]
    }
}

/// `mapitop info`'s lines about the tap's authority: looked at, never made.
enum AuthoritySummary {
    static func lines(_ files: AuthorityFiles) -> [String] {
        do {
            guard let authority = try files.existing() else {
                return ["authority   \(files.folder) (not made yet: a recorder or tap makes it when its tap starts)"]
            }
            return [
                "authority   \(files.certificatePath) · key \(files.keyPath) (0600)",
                "  SHA-256   \(authority.fingerprint)",
                "  expires   \(authority.expiry.formatted(.iso8601))",
                "  permits   \(authority.permitted)",
            ]
        } catch {
            return ["authority   \(error)"]
        }
    }
}
