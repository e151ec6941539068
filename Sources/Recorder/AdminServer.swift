import Foundation
import Hummingbird
import Logging
import NIOCore

/// The recorder's admin server (DESIGN.md section 8): JSON in UTF-8 on a loopback port of
/// its own, since the tap forwards every path and cannot reserve one.
public enum AdminServer {
    public static func router(
        sources: AdminSources, events: EventStreamOptions = EventStreamOptions(), access: AdminAccess = AdminAccess(),
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "mapitop.recorder.admin")
    ) -> Router<AdminRequestContext> {
        let router = Router(context: AdminRequestContext.self)
        router.add(middleware: AdminAccessMiddleware(access: access))
        let streams = StreamSlots(limit: events.maxClients)
        router.get("healthz") { _, _ in try await HealthRoute.respond(sources) }
        router.get("v1/calls") { request, _ in try await CallsRoute.respond(request, sources, now: now()) }
        router.get("v1/events") { request, context in
            let channel = context.channel
            return try EventsRoute.respond(request, sources, events, streams, logger) { channel.close(promise: nil) }
        }
        router.get("metrics") { _, _ in MetricsRoute.respond(sources.metrics) }
        return router
    }
}

/// The admin server as an application, for the record command and live tests;
/// `onServerRunning` learns the bound port when `port` is 0.
public func buildAdminApplication(
    sources: AdminSources, host: String = "127.0.0.1", port: Int = 8788,
    events: EventStreamOptions = EventStreamOptions(), access: AdminAccess = AdminAccess(),
    logger: Logger = Logger(label: "mapitop.recorder.admin"),
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> some ApplicationProtocol {
    Application(
        router: AdminServer.router(sources: sources, events: events, access: access, logger: logger),
        configuration: .init(address: .hostname(host, port: port), serverName: nil),
        onServerRunning: onServerRunning,
        logger: logger)
}
