import ArgumentParser
import Foundation
import ManagementAPI

@main
struct MapitopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mapitop",
        abstract: "top for the tokens of the Platform Management API v2.",
        discussion: """
            Shows, live, how close every API token is to its 60 requests/minute quota and \
            which calls fail, down to the field of a 400.
            """,
        version: MapitopVersion.string,
        subcommands: [WatchCommand.self, DemoCommand.self, SimulateCommand.self, TapCommand.self, RecordCommand.self, ExportCommand.self, SnapshotCommand.self, InfoCommand.self, EnvCommand.self,
                      ScreenCheckCommand.self],
        defaultSubcommand: WatchCommand.self
    )

    /// Parses and runs; a usage error is one line on stderr and exit 64, not a screenful.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ExitCodeError {
            Foundation.exit(error.code)
        } catch let failure as CommandFailure {
            Diagnostics.fail(failure.message, exitCode: failure.exitCode)
        } catch {
            if exitCode(for: error).rawValue == ExitCodes.usage {
                let message = MapitopCommand.message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid usage"
                Diagnostics.fail(message.replacingOccurrences(of: "Error: ", with: "") + " (see mapitop --help)", exitCode: ExitCodes.usage)
            }
            exit(withError: error)
        }
    }
}
