import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// One job connection held open by a test, speaking raw HTTP/1.1 to the tap. Its reads block,
/// so they run on a thread of their own (see `Blocking`); one test uses it at a time.
final class RawConnection: @unchecked Sendable {
    private let fd: Int32
    private var received = [UInt8]()

    /// `receiveBuffer` shrinks the socket's receive buffer, for a job that reads slowly.
    init(port: Int, receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBuffer { setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
        // A read that waits longer fails the test instead of hanging it.
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ text: String) {
        _ = text.withCString { Glibc.send(fd, $0, strlen($0), 0) }
    }

    /// No more requests: the job's sending side closes, its reading side stays open.
    func closeSending() {
        shutdown(fd, Int32(SHUT_WR))
    }

    /// Everything read so far once `enough` holds for it, or once the tap closes (or 10 s pass).
    func read(until enough: @escaping @Sendable (String) -> Bool = { _ in false }) async -> String {
        await Blocking.run { self.readBlocking(until: enough) }
    }

    private func readBlocking(until enough: (String) -> Bool) -> String {
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while !enough(text) {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return text
    }

    /// Whether the tap closed the connection (a read sees the end, not a timeout).
    func closedByPeer() async -> Bool {
        await Blocking.run {
            var byte: UInt8 = 0
            return recv(self.fd, &byte, 1, 0) == 0
        }
    }

    var text: String { String(decoding: received, as: UTF8.self) }
}

/// Sends raw bytes on a new connection and reads until the tap closes it (or 10 s pass): for
/// requests a client library will not make.
func rawRequest(port: Int, _ text: String) async throws -> String {
    let job = try RawConnection(port: port)
    job.send(text)
    return await job.read()
}
