import Collectors
import Logging
import Supervision

/// Runs a tap on its port for the body of a test, then stops it gracefully (also when the
/// body throws), as `mapitop tap` and the recorder run it: through `ServerStartup`.
func running(_ tap: TapServer, _ body: (_ port: Int) async throws -> Void) async throws {
    let server = try await ServerStartup.start(address: "127.0.0.1:0", logger: Logger(label: "tap-test")) { onServerRunning in
        tap.reporting(to: onServerRunning)
    }
    do {
        try await body(server.port)
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}
