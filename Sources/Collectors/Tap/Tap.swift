import Logging
import ManagementAPI
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Builds the tap as a service (`TapServer`): `mapitop tap` runs it alone, the recorder
/// embeds it, tests run it on port 0.
public enum Tap {
    public static func application(
        _ configuration: TapConfiguration,
        clock: any WallClock = SystemClock(),
        logger: Logger,
        services: [any Service] = [],
        status: TapStatus = TapStatus(),
        notice: @escaping @Sendable (String) -> Void = { _ in },
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in },
        afterBatch: @escaping @Sendable () -> Void = {},
        sink: @escaping @Sendable (CallRecord) -> Void
    ) -> TapServer {
        application(configuration, clock: clock, logger: logger, services: services, status: status, notice: notice,
                    onServerRunning: onServerRunning, afterBatch: afterBatch, calls: { sink($0.record) })
    }

    /// The same tap, handing over each call with the request body the job sent, for the
    /// recorder's journal. An answer only offers its call to `queue` and goes on (a full queue
    /// drops the call and counts it: see `TapCallQueue`); one task hands the calls to `calls`
    /// in order, off every answer's path, so a slow journal or screen never holds a job back.
    public static func application(
        _ configuration: TapConfiguration,
        clock: any WallClock = SystemClock(),
        logger: Logger,
        services: [any Service] = [],
        queue: TapCallQueue = TapCallQueue(),
        status: TapStatus = TapStatus(),
        notice: @escaping @Sendable (String) -> Void = { _ in },
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in },
        afterBatch: @escaping @Sendable () -> Void = {},
        calls: @escaping @Sendable (TappedCall) async -> Void
    ) -> TapServer {
        let pools = UpstreamPools(target: UpstreamTarget(configuration.upstream), connectTimeout: SharedHTTPClient.connectTimeout)
        let inFlight = TapInFlight()
        let attribution = TapAttribution(naming: JobNaming(rules: configuration.jobRules))
        let limits = TapLimits(maxConnections: configuration.maxConnections, maxBufferedBytes: configuration.maxBufferedRequestBytes)
        let authority = configuration.authority.map { AuthorityStore(files: $0, needed: configuration.permittedNames, clock: clock) }
        let settings = TapSettings(
            configuration: configuration, pools: pools, clock: clock, inFlight: inFlight, limits: limits,
            wake: { queue.wake() },
            offer: { call in
                if queue.offer(call) == .firstDrop {
                    logger.warning("the tap's record queue is full: calls are answered but not recorded", metadata: ["capacity": "\(queue.capacity)"])
                }
            },
            rules: configuration.rules, upstreamHosts: [ProxyRules.normal(pools.target.host)],
            authority: authority, callers: configuration.procRoot.map { CallerLookup(procRoot: $0) },
            tunnels: status.tunnels, refusedHandshakes: RefusedHandshakes(logger: logger, clock: clock, notice: notice))
        var listeners = [TapListener(host: configuration.host, port: configuration.port, settings: settings, status: status,
                                     waitsForTLS: configuration.tlsHost != nil, onServerRunning: onServerRunning, logger: logger)]
        if let tlsHost = configuration.tlsHost {
            // The TLS listener answers for its own address: jwplatform sends no server name
            // for an address, and Python checks the address against the certificate.
            listeners.insert(TapListener(host: tlsHost, port: configuration.tlsPort, settings: settings, tlsName: tlsHost, status: status,
                                         onServerRunning: { _ in }, logger: logger), at: 0)
        }
        // The delivery runs beside the listener and stops after it: every call answered
        // reaches `calls` before the tap ends. The pools close then too.
        return TapServer(
            listeners: listeners, status: status,
            prepare: {
                // Made (or read) at start, off the event loop: the first CONNECT finds it, the
                // bundle for `mapitop env` exists, and a broken one is said once, now.
                guard let authority else { return }
                do {
                    _ = try await NIOThreadPool.singleton.runIfActive { try authority.current() }
                } catch {
                    notice("the tap's authority cannot be used (\(error)); CONNECT to the API's hosts is answered 502 until it can; "
                        + "calls to the tap's own address are not affected")
                }
            },
            services: services + [
                TapCallDelivery(queue: queue, sink: { call in await calls(attribution.attribute(call)) }, afterBatch: afterBatch, inFlight: inFlight,
                                settleLimit: configuration.upstreamTimeout + .seconds(1)),
                UpstreamPoolsCloser(pools: pools),
            ],
            logger: logger)
    }
}

/// The event loop every tap of the process answers on. One thread: a tap's load is its jobs'
/// calls, bounded by their quotas (60 a minute per token), and one loop forwards over 20 000
/// calls a second here. Two loops cost a fifth more CPU per call on these 2-core machines
/// (threads that wake each other instead of draining their events), and a loop of its own
/// keeps the tap's answers apart from the recorder's and the viewer's work.
enum TapLoops {
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
}
