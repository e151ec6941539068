import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// Learns who is on the other end of a job connection, once per connection, on NIO's
/// blocking pool (never the tap's event loop): the uid from the socket table, the process
/// from the socket's inode, and its name. A connection's calls wait for it in the delivery,
/// never in the answer. It remembers the processes it found (keyed by pid and start time, so
/// a reused pid is read anew) and looks at recent callers first: a job's keep-alive pool
/// opens its connections from one process.
public final class CallerLookup: Sendable {
    let sockets: SocketTable
    let processes: ProcessTable

    private struct Known {
        let started: UInt64
        let program: String
        let script: String?
    }

    private struct Memory {
        var recent: [Int32] = []
        var known: [Int32: Known] = [:]
    }

    /// Recent callers looked at first; processes remembered (a bounded cache: a flood of short
    /// processes clears it rather than growing it).
    static let recentCount = 16
    static let knownLimit = 1_024

    private let memory = Mutex(Memory())

    /// The system's own `/proc`: its kernel can be asked over netlink. Another root (a test's
    /// files) is read as text.
    private let asksKernel: Bool

    public init(procRoot: String = "/proc") {
        sockets = SocketTable(procRoot: procRoot)
        processes = ProcessTable(procRoot: procRoot)
        asksKernel = procRoot == "/proc"
    }

    /// The lookup for `channel`'s peer, started now on NIO's blocking pool. A peer off
    /// loopback is named by its address without reading anything.
    public func start(for channel: any Channel) -> CallerCell {
        guard let peer = channel.remoteAddress, let local = channel.localAddress, peer.port != nil, local.port != nil else {
            return CallerCell(known: .unknown, on: channel.eventLoop)
        }
        guard Self.isLoopback(peer) else {
            return CallerCell(known: Caller(address: peer.ipAddress), on: channel.eventLoop)
        }
        // A flood of connections must not queue lookups without end, nor hold back the
        // authority's work on NIO's shared pool: past `maxPending`, a connection's calls are
        // named without looking (by their User-Agent).
        guard Self.pending.withLock({ count in
            guard count < Self.maxPending else { return false }
            count += 1
            return true
        }) else {
            return CallerCell(known: .unknown, on: channel.eventLoop)
        }
        return CallerCell(Self.pool.runIfActive(eventLoop: channel.eventLoop) {
            self.lookUp(job: peer, tap: local)
        }.always { _ in
            Self.pending.withLock { $0 -= 1 }
        }.recover { _ in .unknown })
    }

    /// Lookups waiting or running at most; each is a millisecond or two of `/proc`.
    static let maxPending = 256
    private static let pending = Mutex(0)
    /// One thread of its own for every tap of the process: lookups run one at a time, apart
    /// from NIO's shared pool (where the authority makes its leaves).
    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        return pool
    }()

    /// The caller at `job` of a connection to `tap`. Blocking: asks the kernel over netlink
    /// (on the real `/proc`), else reads the socket tables, then `/proc`'s processes.
    public func lookUp(job: SocketAddress, tap: SocketAddress) -> Caller {
        guard let jobPort = job.port, let tapPort = tap.port else { return .unknown }
        guard asksKernel else { return lookUp(jobPort: jobPort, tapPort: tapPort) }
        switch SocketDiag.jobSocket(job: job, tap: tap) {
        case .found(let socket): return caller(owning: socket)
        case .gone: return .unknown
        case .unavailable: return lookUp(jobPort: jobPort, tapPort: tapPort)
        }
    }

    /// The caller on loopback port `jobPort` of a connection to `tapPort`, from the socket
    /// tables' text. Blocking: reads `/proc`.
    func lookUp(jobPort: Int, tapPort: Int) -> Caller {
        guard let socket = sockets.jobSocket(jobPort: jobPort, tapPort: tapPort) else { return .unknown }
        return caller(owning: socket)
    }

    private func caller(owning socket: SocketTable.Entry) -> Caller {
        var caller = Caller(uid: socket.uid)
        let likely = memory.withLock { $0.recent }
        guard let pid = processes.holder(ofSocket: socket.inode, uid: socket.uid, likely: likely) else { return caller }
        caller.pid = pid
        guard let found = named(pid) else { return caller }
        caller.program = found.program
        caller.script = found.script
        return caller
    }

    private func named(_ pid: Int32) -> Known? {
        let cached = memory.withLock { $0.known[pid] }
        if let cached, processes.startTime(pid) == cached.started {
            remember(pid, cached)
            return cached
        }
        guard let process = processes.process(pid), let names = ProgramName.of(process.arguments, comm: process.comm) else { return nil }
        let known = Known(started: process.started, program: names.program, script: names.script)
        remember(pid, known)
        return known
    }

    private func remember(_ pid: Int32, _ known: Known) {
        memory.withLock { memory in
            memory.recent.removeAll { $0 == pid }
            memory.recent.insert(pid, at: 0)
            if memory.recent.count > Self.recentCount { memory.recent.removeLast() }
            if memory.known[pid] == nil, memory.known.count >= Self.knownLimit { memory.known.removeAll(keepingCapacity: true) }
            memory.known[pid] = known
        }
    }

    static func isLoopback(_ address: SocketAddress) -> Bool {
        guard let ip = address.ipAddress else { return false }
        return ip.hasPrefix("127.") || ip == "::1" || ip.hasPrefix("::ffff:127.")
    }
}

/// One connection's caller: the lookup in flight, and its answer once it came. The delivery
/// reads the answer without waiting when it is there (every call after a connection's first),
/// so naming a call costs a lock, not a hop through the tap's event loop.
public final class CallerCell: Sendable {
    private let answer = Mutex<Caller?>(nil)
    private let lookup: EventLoopFuture<Caller>

    init(_ lookup: EventLoopFuture<Caller>) {
        self.lookup = lookup
        lookup.whenSuccess { caller in self.answer.withLock { $0 = caller } }
    }

    /// A caller already known (tests, a peer named by its address).
    convenience init(known caller: Caller, on eventLoop: any EventLoop) {
        self.init(eventLoop.makeSucceededFuture(caller))
        answer.withLock { $0 = caller }
    }

    /// The caller, waiting for the lookup only while it runs (it never fails: `start` recovers).
    func caller() async -> Caller {
        if let known = answer.withLock({ $0 }) { return known }
        return (try? await lookup.get()) ?? .unknown
    }
}
