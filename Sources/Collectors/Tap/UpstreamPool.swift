import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// Kept-alive connections to the upstream, one pool per event loop: a call goes out on a
/// connection of its job's loop, so forwarding never changes threads and needs no lock.
final class UpstreamPool {
    /// Idle connections kept per loop; more are closed when their call ends.
    static let maxIdle = 128
    /// A connection idle longer is closed rather than reused: an upstream that closes it at
    /// the moment a call goes out fails that call, and the tap never retries. A connection
    /// the upstream has closed is never reused (it is no longer active); the limit narrows
    /// the race with one closing just then, for upstreams that keep idle connections longer
    /// (nginx 75 s, most load balancers 60 s).
    static let idleLimit: TimeAmount = .seconds(20)

    let target: UpstreamTarget
    let eventLoop: any EventLoop
    let connectTimeout: TimeAmount
    private var idle: [UpstreamConnection] = []
    private var closed = false

    init(target: UpstreamTarget, eventLoop: any EventLoop, connectTimeout: TimeAmount) {
        self.target = target
        self.eventLoop = eventLoop
        self.connectTimeout = connectTimeout
    }

    /// The most recently used idle connection that is still open and fresh, if any.
    func take() -> UpstreamConnection? {
        let now = NIODeadline.now()
        while let connection = idle.popLast() {
            if connection.isActive, now - connection.idleSince < Self.idleLimit { return connection }
            connection.channel.close(promise: nil)
        }
        return nil
    }

    /// Opens a new connection on this pool's loop.
    func connect(_ done: @escaping (Result<UpstreamConnection, any Error>) -> Void) {
        if let unusable = target.unusable {
            done(.failure(UnusableUpstream(description: unusable)))
            return
        }
        let target = self.target
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls = target.tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: target.tlsHostname))
                    }
                    // Headers are the job's, already parsed, plus Host from the configured URL:
                    // validating them again is the cost without the use (see TapChildChannel).
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(enableOutboundHeaderValidation: false)
                    try channel.pipeline.syncOperations.addHandler(UpstreamHandler())
                }
            }
        bootstrap.connect(host: target.host, port: target.port).hop(to: eventLoop).assumeIsolated().whenComplete { result in
            done(result.flatMap { channel in
                Result {
                    let handler = try channel.pipeline.syncOperations.handler(type: UpstreamHandler.self)
                    return UpstreamConnection(channel: channel, handler: handler)
                }
            })
        }
    }

    /// Takes a connection back after a call whose answer ended cleanly.
    func giveBack(_ connection: UpstreamConnection) {
        connection.detach()
        connection.read(true)
        let now = NIODeadline.now()
        // The oldest idle ones sit at the bottom, never taken while newer ones are: drop
        // those past the limit here.
        while let oldest = idle.first, !oldest.isActive || now - oldest.idleSince >= Self.idleLimit {
            idle.removeFirst().channel.close(promise: nil)
        }
        guard !closed, connection.isActive, idle.count < Self.maxIdle else {
            connection.channel.close(promise: nil)
            return
        }
        connection.idleSince = now
        idle.append(connection)
    }

    /// Takes a connection back once the read that ended its answer is done. Bytes an
    /// upstream sent after the end of an answer are then read while the connection belongs
    /// to no call, and close it (an answer nobody asked for), instead of being read as the
    /// answer of the next call, which could be another job's.
    func giveBackLater(_ connection: UpstreamConnection) {
        connection.detach()
        eventLoop.assumeIsolated().execute { self.giveBack(connection) }
    }

    /// Closes every idle connection, and every one given back from now on.
    func close() {
        closed = true
        for connection in idle { connection.channel.close(promise: nil) }
        idle.removeAll()
    }
}

/// The pools of one tap, one per event loop its jobs' connections land on.
final class UpstreamPools: Sendable {
    let target: UpstreamTarget
    let connectTimeout: TimeAmount
    private struct Entry: Sendable {
        let eventLoop: any EventLoop
        let pool: NIOLoopBound<UpstreamPool>
    }

    private let pools = Mutex<[ObjectIdentifier: Entry]>([:])

    init(target: UpstreamTarget, connectTimeout: TimeAmount) {
        self.target = target
        self.connectTimeout = connectTimeout
    }

    /// The pool of `eventLoop`; call it on that loop (once per job connection, not per call).
    func pool(on eventLoop: any EventLoop) -> UpstreamPool {
        let key = ObjectIdentifier(eventLoop)
        let entry = pools.withLock { pools in
            if let entry = pools[key] { return entry }
            let pool = UpstreamPool(target: target, eventLoop: eventLoop, connectTimeout: connectTimeout)
            let entry = Entry(eventLoop: eventLoop, pool: NIOLoopBound(pool, eventLoop: eventLoop))
            pools[key] = entry
            return entry
        }
        return entry.pool.value
    }

    /// Closes the idle connections of every loop: the tap has stopped.
    func closeAll() {
        let all = pools.withLock { Array($0.values) }
        for entry in all {
            entry.eventLoop.execute { entry.pool.value.close() }
        }
    }
}

struct UnusableUpstream: Error, CustomStringConvertible {
    let description: String
}
