import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Builds the simulator as a Hummingbird application. The tests and `mapitop simulate`
/// share it; `onServerRunning` learns the bound port when `configuration.port` is 0.
public func buildApplication(
    _ configuration: SimulatorConfiguration,
    api: SimulatedAPI? = nil,
    services: [any Service] = [],
    logger: Logger = Logger(label: "mapitop.simulator"),
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let api = api ?? SimulatedAPI(configuration: configuration)
    return Application(
        responder: SimulatorResponder(api: api),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        services: services,
        onServerRunning: onServerRunning,
        logger: logger)
}
