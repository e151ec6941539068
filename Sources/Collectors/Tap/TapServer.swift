import Logging
import NIOCore
import NIOExtras
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The tap as a service: its listener, bound and drained with SwiftNIO itself (DESIGN.md
/// section 3), beside the services that must stop after it (the call delivery, the upstream
/// pools). A graceful shutdown stops the listener first: it closes the listening socket, asks
/// each connection to quiesce (the proxy handler closes it once its call in flight is
/// answered), and waits for the last one; then the delivery hands over every call answered,
/// then the pools close.
public struct TapServer: Service {
    var listener: TapListener
    let services: [any Service]
    let logger: Logger

    /// The same tap, also telling `callback` its listening channel once it listens (for
    /// `ServerStartup`, when the tap was built without it).
    public func reporting(to callback: @escaping @Sendable (any Channel) async -> Void) -> TapServer {
        var copy = self
        let earlier = listener.onServerRunning
        copy.listener.onServerRunning = { channel in
            await earlier(channel)
            await callback(channel)
        }
        return copy
    }

    public func run() async throws {
        // A group of its own: its services stop in reverse order, the listener first.
        let group = ServiceGroup(configuration: .init(services: services + [listener], logger: logger))
        try await group.run()
    }
}

/// Binds `host:port` on the tap's event loop and serves each connection with `TapChildChannel`.
struct TapListener: Service {
    let host: String
    let port: Int
    let settings: TapSettings
    var onServerRunning: @Sendable (any Channel) async -> Void
    let logger: Logger

    func run() async throws {
        let quiescing = ServerQuiescingHelper(group: TapLoops.group)
        let settings = settings
        let channel = try await ServerBootstrap(group: TapLoops.group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiescing.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in TapChildChannel(settings: settings).setup(channel: channel) }
            .bind(host: host, port: port)
            .get()
        logger.info("Server started and listening on \(host):\(channel.localAddress?.port ?? port)")
        await onServerRunning(channel)
        // Until a graceful shutdown (or a cancellation) starts the quiescing, which closes the
        // listening socket; a socket that closes by itself ends the wait too, and is said.
        let asked = StopAsked()
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                try? await channel.closeFuture.get()
            } onGracefulShutdown: {
                asked.set()
                quiescing.initiateShutdown(promise: nil)
            }
        } onCancel: {
            asked.set()
            quiescing.initiateShutdown(promise: nil)
        }
        if !asked.isSet { logger.error("the tap's listening socket on \(host):\(port) closed; no new connection is taken") }
        // Then until the last connection is closed. Asked again with a promise of its own, it
        // follows the quiescing under way; on a socket that closed by itself it fails, and the
        // tap's service ends with that error instead of serving nothing.
        let drained = channel.eventLoop.makePromise(of: Void.self)
        quiescing.initiateShutdown(promise: drained)
        try await drained.futureResult.get()
    }
}

/// Whether the listener was asked to stop (as opposed to its socket closing by itself).
private final class StopAsked: Sendable {
    private let asked = Mutex(false)
    func set() { asked.withLock { $0 = true } }
    var isSet: Bool { asked.withLock { $0 } }
}
