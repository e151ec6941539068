import Logging
import ServiceLifecycle
import Supervision

/// The loop of the headless commands (`tap`, `simulate`): the started server runs until
/// SIGTERM or SIGINT, which shut it down gracefully; a server that dies on its own is one
/// line on stderr and exit 1, never a silent stop.
enum HeadlessServer {
    static func run(_ name: String, _ server: StartedServer, logger: Logger) async {
        let group = ServiceGroup(configuration: .init(
            services: [SupervisedService(name, server)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            Diagnostics.fail("\(error)", exitCode: 1)
        }
    }
}
