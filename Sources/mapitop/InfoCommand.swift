import ArgumentParser
import Dashboard
import Foundation
import Screen

/// `mapitop info`: the paths mapitop uses and the terminal it sees. Never a secret.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Show the paths mapitop uses and the terminal it sees.")

    @Option(help: ArgumentHelp("The configuration file to report on.", valueName: "path"))
    var config: String?

    func run() throws {
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
        lines.append("TERM        \(environment["TERM"] ?? "(unset)")")
        lines.append("colors      \(TerminalCapabilities.colors().map(String.init) ?? "unknown")"
            + (environment["NO_COLOR"].map { $0.isEmpty ? "" : " (NO_COLOR set: monochrome)" } ?? ""))
        lines.append("locale      \(TerminalCapabilities.codeset()) \(TerminalCapabilities.isUTF8() ? "(UTF-8 glyphs)" : "(ASCII glyphs)")")
        StandardOutput.line(lines.map(Sanitizer.clean).joined(separator: "\n"))
    }
}
