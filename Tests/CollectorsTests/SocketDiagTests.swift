@testable import Collectors
import Foundation
import NIOCore
import NIOPosix
import Testing
import TestSupport

@Suite("Who is calling, asked of the kernel over netlink")
struct SocketDiagTests {
    @Test("netlink finds the job's end of a real loopback connection as the socket table lists it, and says when it is gone")
    func sameAsTheTable() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let tap = try #require(server.localAddress)
        let fd = try LoopbackSocket.connect(port: tap.port!)
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let job = try SocketAddress(ipAddress: "127.0.0.1", port: Int(UInt16(bigEndian: address.sin_port)))
        let (asked, read) = await Blocking.run {
            (SocketDiag.jobSocket(job: job, tap: tap), SocketTable(procRoot: "/proc").jobSocket(jobPort: job.port!, tapPort: tap.port!))
        }
        let entry = try #require(read)
        #expect(asked == .found(entry))
        #expect(entry.uid == getuid() && entry.inode != 0)
        let caller = await Blocking.run { CallerLookup().lookUp(job: job, tap: tap) }
        #expect(caller.pid == getpid())
        close(fd)
        try await server.close()
        let unused = try SocketAddress(ipAddress: "127.0.0.1", port: 9)
        #expect(await Blocking.run { SocketDiag.jobSocket(job: unused, tap: tap) } == .gone)
    }

    @Test("an answer the kernel never sends reads as unavailable, never a trap")
    func garbage() {
        #expect(SocketDiag.parse([]) == .unavailable)
        #expect(SocketDiag.parse(Array(repeating: 0xFF, count: 16)) == .unavailable)
        #expect(SocketDiag.parse([20, 0, 0, 0, 20, 0] + Array(repeating: 0, count: 20)) == .unavailable)
    }
}
