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

    /// `receiveBuffer`: see `LoopbackSocket.connect`.
    init(port: Int, receiveBuffer: Int32? = nil) throws {
        fd = try LoopbackSocket.connect(port: port, receiveBuffer: receiveBuffer)
        // A read that waits longer fails the test instead of hanging it (a bound on a hang,
        // never a measure of speed).
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Sends all of `text` (a large head takes several writes); stops if the tap closes.
    func send(_ text: String) {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return }
            sent += count
        }
    }

    /// No more requests: the job's sending side closes, its reading side stays open.
    func closeSending() {
        shutdown(fd, Int32(SHUT_WR))
    }

    /// Everything read so far once `enough` holds for it, or once the tap closes (or 60 s
    /// pass); without `enough`, everything until the close.
    func read(until enough: (@Sendable (String) -> Bool)? = nil) async -> String {
        await Blocking.run { self.readBlocking(until: enough) }
    }

    private func readBlocking(until enough: ((String) -> Bool)?) -> String {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        // The text is decoded again only to ask `enough`: decoding megabytes at every read
        // would cost seconds of CPU that the other tests running beside this one need.
        while enough.map({ !$0(text) }) ?? true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return text
    }

    /// Everything read so far, after taking whatever has arrived, without waiting.
    func readAvailable() -> String {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
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

    /// Sends without blocking until `limit` bytes went, or until the connection has taken
    /// nothing more for two seconds (its peer holds it back); returns the bytes it took. The
    /// two seconds bound a wait for a condition that, with backpressure, never comes.
    func pushUntilStalled(limit: Int) async -> Int {
        await Blocking.run {
            let flags = fcntl(self.fd, F_GETFL)
            _ = fcntl(self.fd, F_SETFL, flags | O_NONBLOCK)
            defer { _ = fcntl(self.fd, F_SETFL, flags) }
            let chunk = [UInt8](repeating: 0x61, count: 65_536)
            var sent = 0
            while sent < limit {
                let count = chunk.withUnsafeBytes { Glibc.send(self.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if count > 0 {
                    sent += count
                    continue
                }
                guard count < 0, errno == EAGAIN || errno == EWOULDBLOCK else { break }
                var ready = pollfd(fd: self.fd, events: Int16(POLLOUT), revents: 0)
                if poll(&ready, 1, 2_000) <= 0 { break }
            }
            return sent
        }
    }

    var text: String { String(decoding: received, as: UTF8.self) }
}

/// Sends raw bytes on a new connection and reads until the tap closes it (or 60 s pass): for
/// requests a client library will not make.
func rawRequest(port: Int, _ text: String) async throws -> String {
    let job = try RawConnection(port: port)
    job.send(text)
    return await job.read()
}
