import Logging
import ServiceLifecycle
import Supervision

/// The loop of the headless commands (`tap`, `simulate`): the started server runs until
/// SIGTERM or SIGINT, which shut it down gracefully; a server that dies on its own is one
/// line on stderr and exit 1, never a silent stop.
///
/// `announce` says where it listens once SIGTERM and SIGINT are trapped: said earlier, a stop
/// sent as soon as it appeared killed the process instead of stopping it.
enum HeadlessServer {
    static func run(_ name: String, _ server: StartedServer, logger: Logger, announce: @escaping @Sendable () -> Void) async {
        let group = ServiceGroup(configuration: .init(
            services: [WhenRunning(announce), SupervisedService(name, server)], gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        do {
            try await group.run()
        } catch {
            Diagnostics.fail("\(error)", exitCode: 1)
        }
    }
}
