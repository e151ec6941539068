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
        application(configuration, httpClient: httpClient, clock: clock, logger: logger, services: services,
                    onServerRunning: onServerRunning, calls: { sink($0.record) })
    }

    /// The same tap, handing over each call with the request body the job sent, for the
    /// recorder's journal. `calls` runs on the answer's path: it must only queue, never wait.
    public static func application(
        _ configuration: TapConfiguration,
        httpClient: HTTPClient = SharedHTTPClient.shared,
        clock: any WallClock = SystemClock(),
        logger: Logger,
        services: [any Service] = [],
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in },
        calls: @escaping @Sendable (TappedCall) -> Void
    ) -> some ApplicationProtocol {
        var upstream = configuration
        while upstream.upstream.hasSuffix("/") { upstream.upstream.removeLast() }
        let responder = TapResponder(configuration: upstream, http: httpClient, clock: clock, sink: calls, logger: logger)
        return Application(
            responder: responder,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: services,
            onServerRunning: onServerRunning,
            logger: logger)
    }
}
