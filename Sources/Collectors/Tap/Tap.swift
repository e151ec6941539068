import AsyncHTTPClient
import Hummingbird
import Logging
import ManagementAPI
import NIOCore
import ServiceLifecycle

/// Builds the tap as a Hummingbird application: `mapitop tap` runs it alone, the dashboard
/// embeds it, tests run it on port 0.
public enum Tap {
    public static func application(
        _ configuration: TapConfiguration,
        // Must not decompress: the caller gets the upstream's bytes unchanged (the shared
        // client's decompression is off; the record decodes its own copy).
        httpClient: HTTPClient = SharedHTTPClient.shared,
        clock: any WallClock = SystemClock(),
        logger: Logger,
        services: [any Service] = [],
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in },
        sink: @escaping @Sendable (CallRecord) -> Void
    ) -> some ApplicationProtocol {
        var upstream = configuration
        while upstream.upstream.hasSuffix("/") { upstream.upstream.removeLast() }
        let responder = TapResponder(configuration: upstream, http: httpClient, clock: clock, sink: sink, logger: logger)
        return Application(
            responder: responder,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: services,
            onServerRunning: onServerRunning,
            logger: logger)
    }
}
