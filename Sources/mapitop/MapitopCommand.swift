import ArgumentParser
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
        subcommands: [SimulateCommand.self, ScreenCheckCommand.self]
    )
}
