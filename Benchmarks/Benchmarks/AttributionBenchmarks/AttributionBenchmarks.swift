import Benchmark
import Collectors
import Foundation
import ManagementAPI
import NIOCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 26: what learning a caller costs. A new connection's lookup with 500 processes of
/// the same user running (the worst case: the caller is older than all of them, so it is the
/// last one looked at), beside opening a loopback connection at all; and a kept-alive call's
/// naming once its connection's caller is known, beside copying the record.

/// Processes of this user that sleep until the benchmark ends.
final class Sleepers: Sendable {
    private let pids = Mutex<[pid_t]>([])

    func start(_ count: Int) {
        for _ in 0..<count {
            var pid: pid_t = 0
            let arguments: [UnsafeMutablePointer<CChar>?] = [strdup("sleep"), strdup("600"), nil]
            defer { arguments.forEach { free($0) } }
            if posix_spawn(&pid, "/bin/sleep", nil, nil, arguments, environ) == 0 { pids.withLock { $0.append(pid) } }
        }
    }

    func stop() {
        for pid in pids.withLock({ pids in defer { pids = [] }; return pids }) {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }
}

let sleepers = Sleepers()

/// A listening loopback socket and one connection to it: the job's end and the tap's.
struct Connection {
    let listener: Int32
    let job: Int32
    let accepted: Int32
    let jobAddress: SocketAddress
    let tapAddress: SocketAddress

    static func open() -> Connection {
        let (listener, tapPort) = listener()
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(tapPort).bigEndian)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let job = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(job, $0, length) } }
        let accepted = accept(listener, nil, nil)
        var mine = sockaddr_in()
        _ = withUnsafeMutablePointer(to: &mine) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(job, $0, &length) } }
        return Connection(
            listener: listener, job: job, accepted: accepted,
            jobAddress: try! SocketAddress(ipAddress: "127.0.0.1", port: Int(UInt16(bigEndian: mine.sin_port))),
            tapAddress: try! SocketAddress(ipAddress: "127.0.0.1", port: tapPort))
    }

    /// A listening loopback socket and its port.
    static func listener() -> (fd: Int32, port: Int) {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) } }
        listen(listener, 16)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        return (listener, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// A new process (bash) that connects to `port` and waits: the newest process of the user.
    static func spawnClient(port: Int) -> pid_t {
        var pid: pid_t = 0
        let script = "exec 3<>/dev/tcp/127.0.0.1/\(port); read -t 60 -u 3"
        let arguments: [UnsafeMutablePointer<CChar>?] = [strdup("bash"), strdup("-c"), strdup(script), nil]
        defer { arguments.forEach { free($0) } }
        posix_spawn(&pid, "/bin/bash", nil, nil, arguments, environ)
        return pid
    }

    func close() {
        Glibc.close(job)
        Glibc.close(accepted)
        Glibc.close(listener)
    }
}

let record = CallRecord(
    time: Date(), token: TokenReference(fingerprint: Secret("bench").fingerprint, label: "ingest"), method: "GET",
    path: "/v2/sites/Abcd1234/media/XyZ98765/", outcome: .status(200), latency: .milliseconds(20),
    rate: RateHeaders(limit: 60, remaining: 30, requestID: nil), errors: [], source: .tap)

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(metrics: [.wallClock], maxDuration: .seconds(20), maxIterations: 200)

    // Target ≤ 2 ms: a new connection's caller (netlink, then /proc), no caller remembered.
    Benchmark("attribution: a new connection's caller, 500 processes of the user running",
              configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            let connection = Connection.open()
            let lookup = CallerLookup()
            benchmark.startMeasurement()
            let caller = lookup.lookUp(job: connection.jobAddress, tap: connection.tapAddress)
            benchmark.stopMeasurement()
            precondition(caller.pid == getpid(), "the lookup missed: \(caller)")
            connection.close()
        }
    } setup: {
        sleepers.start(500)
    } teardown: {
        sleepers.stop()
    }

    // The usual case: a job just started (a cron script) connects while 500 processes run.
    Benchmark("attribution: a new job process's first connection, 500 processes of the user running",
              configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            let listener = Connection.listener()
            let child = Connection.spawnClient(port: listener.port)
            let accepted = accept(listener.fd, nil, nil)
            var peer = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &peer) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(accepted, $0, &length) } }
            let job = try! SocketAddress(ipAddress: "127.0.0.1", port: Int(UInt16(bigEndian: peer.sin_port)))
            let tap = try! SocketAddress(ipAddress: "127.0.0.1", port: listener.port)
            let lookup = CallerLookup()
            benchmark.startMeasurement()
            let caller = lookup.lookUp(job: job, tap: tap)
            benchmark.stopMeasurement()
            precondition(caller.pid == child, "the lookup missed: \(caller) (child \(child))")
            kill(child, SIGKILL)
            var status: Int32 = 0
            waitpid(child, &status, 0)
            close(accepted)
            close(listener.fd)
        }
    } setup: {
        sleepers.start(500)
    } teardown: {
        sleepers.stop()
    }

    Benchmark("baseline: open and close a loopback connection", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            benchmark.startMeasurement()
            let connection = Connection.open()
            connection.close()
            benchmark.stopMeasurement()
        }
    }

    // Target: not measurable beside a call's own cost. 100 000 kept-alive calls named once
    // their connection's caller is known.
    let caller = Caller(uid: 1000, pid: 4242, program: "python3", script: "nightly-ingest.py")
    Benchmark("attribution: 100 000 kept-alive calls named", configuration: configuration) { benchmark in
        let attribution = TapAttribution(naming: JobNaming())
        for _ in benchmark.scaledIterations {
            for _ in 0..<100_000 {
                blackHole(attribution.attributed(record, caller: caller, userAgent: "python-requests/2.34.2"))
            }
        }
    }

    Benchmark("baseline: copy the same 100 000 records", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            for _ in 0..<100_000 { blackHole(record.attributed(job: "nightly-ingest.py")) }
        }
    }
}
