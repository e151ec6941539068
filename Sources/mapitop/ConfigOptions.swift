import ArgumentParser
import ConfigFile
import Dashboard
import Foundation
import ManagementAPI

/// Options every command that reads the configuration shares.
struct ConfigOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The configuration file (default: $XDG_CONFIG_HOME/mapitop/config.toml).", valueName: "path"))
    var config: String?

    @Option(help: ArgumentHelp("The API base URL, overriding the configuration's api_base.", valueName: "url"))
    var apiBase: String?

    init() {}

    init(config: String?, apiBase: String? = nil) {
        self.config = config
        self.apiBase = apiBase
    }

    func validate() throws {
        if let apiBase {
            guard let url = URL(string: apiBase), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                throw ValidationError("--api-base must be an http or https URL")
            }
        }
    }

    /// The configuration, or exit 78 with the one-line error.
    func load() throws -> Configuration {
        do {
            var configuration = try ConfigLoader.load(path: config, environment: ProcessInfo.processInfo.environment)
            if let apiBase { configuration.apiBase = apiBase }
            return configuration
        } catch {
            Diagnostics.fail(error.description, exitCode: ExitCodes.config)
        }
    }
}

enum ExitCodes {
    /// EX_USAGE: a bad flag, filter or argument.
    static let usage: Int32 = 64
    /// EX_NOINPUT: an input file (a journal to export) does not exist.
    static let noInput: Int32 = 66
    /// EX_UNAVAILABLE: a service needed (a recorder given by --source) does not answer.
    static let unavailable: Int32 = 69
    /// EX_IOERR: a file could not be read or written.
    static let ioError: Int32 = 74
    /// EX_CONFIG: a bad configuration file.
    static let config: Int32 = 78
}

enum Diagnostics {
    /// One line to stderr, then exit.
    static func fail(_ message: String, exitCode: Int32) -> Never {
        StandardError.line("mapitop: " + message)
        exit(exitCode)
    }
}
