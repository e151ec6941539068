import Foundation
import NIOCore
import NIOPosix
import Testing
import TestSupport
@testable import Recorder

/// Who may read the recorder through its admin server (DESIGN.md section 8), as a pure decision
/// on a connection's two ends, and the kernel's socket table that says whose a socket is.
@Suite("The admin server's access")
struct AdminAccessTests {
    let local: SocketAddress
    let peer: SocketAddress
    let remote: SocketAddress

    init() throws {
        local = try SocketAddress(ipAddress: "127.0.0.1", port: 8788)
        peer = try SocketAddress(ipAddress: "127.0.0.1", port: 51_000)
        remote = try SocketAddress(ipAddress: "192.0.2.7", port: 51_000)
    }

    func access(owner: UInt32?) -> AdminAccess {
        AdminAccess(readers: [1_000, 1_001], owner: { _, _ in owner })
    }

    @Test("a Host the server does not answer on is misdirected (DNS rebinding), whatever the path")
    func foreignHost() {
        for path in ["/healthz", "/metrics", "/v1/calls"] {
            #expect(access(owner: 1_000).decide(path: path, host: "evil.example:8788", peer: peer, local: local) == .misdirected)
        }
        // ssh -L 9000:127.0.0.1:8788 arrives naming port 9000.
        for host in ["127.0.0.1:8788", "LOCALHOST:8788", "[::1]:8788", "localhost", "127.0.0.1:9000", nil] {
            #expect(access(owner: 1_000).decide(path: "/v1/calls", host: host, peer: peer, local: local) == .allowed,
                    "\(host ?? "no Host")")
        }
        for host in ["127.0.0.1.evil.example:8788", "localhost:88x", "[::1]x", "127.0.0.1:8788@evil"] {
            #expect(access(owner: 1_000).decide(path: "/v1/calls", host: host, peer: peer, local: local) == .misdirected, "\(host)")
        }
    }

    @Test("/v1 is for the recorder's user and the readers named, from loopback only; /metrics and /healthz are open")
    func whoReadsCalls() {
        // However the path is spelled: the router reads //v1/calls as /v1/calls.
        for path in ["//v1/calls", "/v1//calls", "/v1/events/", "/anything"] {
            #expect(access(owner: 1_002).decide(path: path, host: nil, peer: peer, local: local) != .allowed, "\(path)")
        }
        #expect(access(owner: 1_000).decide(path: "/v1/events", host: nil, peer: peer, local: local) == .allowed)
        #expect(access(owner: 1_001).decide(path: "/v1/calls", host: nil, peer: peer, local: local) == .allowed)
        guard case .forbidden(let why) = access(owner: 1_002).decide(path: "/v1/calls", host: nil, peer: peer, local: local) else {
            Issue.record("another user read the calls")
            return
        }
        #expect(why.contains("user 1002 may not read"))
        #expect(access(owner: nil).decide(path: "/v1/calls", host: nil, peer: peer, local: local) != .allowed)
        #expect(access(owner: 1_000).decide(path: "/v1/calls", host: nil, peer: remote, local: local) != .allowed)
        #expect(access(owner: 1_000).decide(path: "/v1/calls", host: nil, peer: nil, local: local) != .allowed)
        for path in ["/metrics", "/healthz"] {
            #expect(access(owner: 1_002).decide(path: path, host: nil, peer: remote, local: local) == .allowed)
        }
    }

    @Test("the kernel's socket table names this process's user as the owner of its own loopback connection")
    func socketOwner() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        let port = try #require(server.localAddress?.port)
        let fd = try LoopbackSocket.connect(port: port)
        defer { close(fd) }
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let peer = try SocketAddress(ipAddress: "127.0.0.1", port: Int(UInt16(bigEndian: address.sin_port)))
        let local = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        #expect(SocketOwner.uid(peer: peer, local: local) == getuid())
        let nobody = try SocketAddress(ipAddress: "127.0.0.1", port: 1)
        #expect(SocketOwner.uid(peer: nobody, local: local) == nil)
    }
}
