import Logging
import NIOCore
import NIOExtras
import NIOPosix
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The tap as a service: its listener, bound and drained with SwiftNIO itself (DESIGN.md
/// section 3), beside the services that must stop after it (the call delivery, the upstream
/// pools). A graceful shutdown stops the listener first: it closes the listening socket, asks
/// each connection to quiesce (the proxy handler closes it once its call in flight is
/// answered), and waits for the last one; then the delivery hands over every call answered,
/// then the pools close.
public struct TapServer: Service {
    /// The origin-form and proxy listener last; the TLS listener, when there is one, before it.
    var listeners: [TapListener]
    /// Tunnels per host and the TLS listener's port, for `/healthz`, banners and tests.
    public let status: TapStatus
    /// Runs before the listeners bind (the authority is made or read).
    let prepare: @Sendable () async -> Void
    let services: [any Service]
    let logger: Logger

    /// The same tap, also telling `callback` its listening channel once it listens (for
    /// `ServerStartup`, when the tap was built without it).
    public func reporting(to callback: @escaping @Sendable (any Channel) async -> Void) -> TapServer {
        var copy = self
        let last = copy.listeners.count - 1
        let earlier = listeners[last].onServerRunning
        copy.listeners[last].onServerRunning = { channel in
            await earlier(channel)
            await callback(channel)
        }
        return copy
    }

    public func run() async throws {
        await prepare()
        // A group of its own: its services stop in reverse order, the listeners first.
        let group = ServiceGroup(configuration: .init(services: services + listeners, logger: logger))
        try await group.run()
    }
}

/// What a running tap tells beside its calls.
public final class TapStatus: Sendable {
    public let tunnels = TunnelCounts()
    private let tls = Mutex<(bound: Result<Int, any Error>?, waiting: [CheckedContinuation<Int, any Error>])>((nil, []))

    public init() {}

    /// The TLS listener's port once it listens (nil without one, or before).
    public var tlsPort: Int? { tls.withLock { state in try? state.bound?.get() } }

    /// The TLS listener bound, or could not: the plain listener waits for this, so a tap
    /// whose TLS port is refused fails to start with that reason instead of half running.
    func tlsBound(_ result: Result<Int, any Error>) {
        let waiting = tls.withLock { state in
            state.bound = result
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume(with: result) }
    }

    func waitForTLS() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let bound = tls.withLock { state -> Result<Int, any Error>? in
                if state.bound == nil { state.waiting.append(continuation) }
                return state.bound
            }
            if let bound { continuation.resume(with: bound) }
        }
    }
}

/// Binds `host:port` on the tap's event loop and serves each connection with `TapChildChannel`.
struct TapListener: Service {
    let host: String
    let port: Int
    let settings: TapSettings
    /// The TLS listener's name (its address): every connection starts with a TLS handshake.
    var tlsName: String? = nil
    /// Set on the plain listener of a tap with a TLS listener: it binds after that one.
    var status: TapStatus? = nil
    var waitsForTLS = false
    var onServerRunning: @Sendable (any Channel) async -> Void
    let logger: Logger

    func run() async throws {
        if waitsForTLS { _ = try await status?.waitForTLS() }
        let quiescing = ServerQuiescingHelper(group: TapLoops.group)
        let channel: any Channel
        do {
            channel = try await bind(quiescing)
        } catch {
            guard tlsName != nil else { throw error }
            // Named: the tap's start fails with it, under the plain listener's address.
            let failure = TLSListenFailure(address: "\(host):\(port)", cause: error)
            status?.tlsBound(.failure(failure))
            throw failure
        }
        if tlsName != nil { status?.tlsBound(.success(channel.localAddress?.port ?? port)) }
        try await runBound(channel, quiescing)
    }

    private func bind(_ quiescing: ServerQuiescingHelper) async throws -> any Channel {
        let settings = settings
        return try await ServerBootstrap(group: TapLoops.group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiescing.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { [tlsName] channel in TapChildChannel(settings: settings, tlsName: tlsName).setup(channel: channel) }
            .bind(host: host, port: port)
            .get()
    }

    private func runBound(_ channel: any Channel, _ quiescing: ServerQuiescingHelper) async throws {
        logger.info("Server started and listening on \(host):\(channel.localAddress?.port ?? port)\(tlsName == nil ? "" : " (TLS)")")
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

/// The TLS listener could not bind.
public struct TLSListenFailure: Error, CustomStringConvertible {
    public let address: String
    public let cause: any Error
    public var description: String {
        let reason = (cause as? IOError).map { String(cString: strerror($0.errnoCode)) } ?? "\(cause)"
        return "the TLS listener cannot listen on \(address): \(reason)"
    }
}
