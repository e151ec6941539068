import Foundation
import NIOCore

/// The kernel's own answer for one socket, over netlink (`NETLINK_SOCK_DIAG`, as `ss` asks):
/// an exact lookup by the connection's two addresses and ports, so it costs one request and
/// one answer where reading `/proc/net/tcp` walks every socket of the machine (4 ms here).
/// `.unavailable` where netlink is not allowed (`SocketTable` is then the fallback), `.gone`
/// when the kernel no longer has the socket.
enum SocketDiag {
    private static let sockDiagByFamily: UInt16 = 20
    private static let netlinkSockDiag: Int32 = 4
    private static let requestFlag: UInt16 = 1
    private static let errorType: UInt16 = 2
    private static let messageHeader = 16
    /// inet_diag_msg: family, state, timer, retrans, then the 48-byte socket id, expires,
    /// rqueue, wqueue, uid, inode.
    private static let uidOffset = messageHeader + 4 + 48 + 12

    enum Answer: Equatable {
        case found(SocketTable.Entry)
        /// The kernel holds no such socket (closed already).
        case gone
        /// Netlink cannot be asked here (a sandbox, another kernel).
        case unavailable
    }

    /// The job's end of a connection: from `job` (its address and port) to `tap`.
    static func jobSocket(job: SocketAddress, tap: SocketAddress) -> Answer {
        guard let request = request(job: job, tap: tap) else { return .unavailable }
        let descriptor = socket(AF_NETLINK, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), netlinkSockDiag)
        guard descriptor >= 0 else { return .unavailable }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // sockaddr_nl (which Glibc's module leaves out): family, pad, pid 0 (the kernel), groups.
        var kernel = [UInt8](repeating: 0, count: 12)
        kernel[0] = UInt8(AF_NETLINK & 0xFF)
        kernel[1] = UInt8(AF_NETLINK >> 8)
        let sent = request.withUnsafeBytes { bytes in
            kernel.withUnsafeBytes { address in
                sendto(descriptor, bytes.baseAddress, bytes.count, 0, address.baseAddress!.assumingMemoryBound(to: sockaddr.self),
                       socklen_t(address.count))
            }
        }
        guard sent == request.count else { return .unavailable }
        var answer = [UInt8](repeating: 0, count: 8_192)
        let received = answer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard received >= messageHeader else { return .unavailable }
        return parse(Array(answer.prefix(received)))
    }

    /// The answer's first message: the socket's uid and inode, or why there is none.
    static func parse(_ bytes: [UInt8]) -> Answer {
        guard bytes.count >= messageHeader else { return .unavailable }
        let type = UInt16(bytes[4]) | UInt16(bytes[5]) << 8
        if type == errorType {
            // nlmsgerr: a negative errno; ENOENT is a socket the kernel no longer has.
            guard bytes.count >= messageHeader + 4 else { return .unavailable }
            let code = Int32(bitPattern: littleEndian32(bytes, messageHeader))
            return code == -ENOENT ? .gone : .unavailable
        }
        guard type == sockDiagByFamily, bytes.count >= uidOffset + 8 else { return .unavailable }
        return .found(SocketTable.Entry(uid: littleEndian32(bytes, uidOffset), inode: UInt64(littleEndian32(bytes, uidOffset + 4))))
    }

    /// nlmsghdr, then inet_diag_req_v2 naming one TCP socket by its four-tuple, any state.
    static func request(job: SocketAddress, tap: SocketAddress) -> [UInt8]? {
        guard let jobPort = job.port, let tapPort = tap.port, let source = addressBytes(job), let destination = addressBytes(tap),
            source.family == destination.family
        else { return nil }
        var bytes: [UInt8] = []
        append32(&bytes, UInt32(messageHeader + 56))
        append16(&bytes, sockDiagByFamily)
        append16(&bytes, requestFlag)
        append32(&bytes, 1)
        append32(&bytes, 0)
        bytes += [UInt8(source.family), UInt8(IPPROTO_TCP), 0, 0]
        append32(&bytes, 0xFFFF_FFFF)
        bytes += [UInt8(jobPort >> 8), UInt8(jobPort & 0xFF), UInt8(tapPort >> 8), UInt8(tapPort & 0xFF)]
        bytes += source.bytes + Array(repeating: 0, count: 16 - source.bytes.count)
        bytes += destination.bytes + Array(repeating: 0, count: 16 - destination.bytes.count)
        append32(&bytes, 0)
        // INET_DIAG_NOCOOKIE: any socket of that four-tuple.
        append32(&bytes, 0xFFFF_FFFF)
        append32(&bytes, 0xFFFF_FFFF)
        return bytes
    }

    /// The address in network order, with its family.
    private static func addressBytes(_ address: SocketAddress) -> (family: Int32, bytes: [UInt8])? {
        switch address {
        case .v4(let v4):
            var raw = v4.address.sin_addr
            return (AF_INET, withUnsafeBytes(of: &raw) { Array($0) })
        case .v6(let v6):
            var raw = v6.address.sin6_addr
            return (AF_INET6, withUnsafeBytes(of: &raw) { Array($0) })
        case .unixDomainSocket:
            return nil
        }
    }

    private static func append16(_ bytes: inout [UInt8], _ value: UInt16) {
        bytes += [UInt8(value & 0xFF), UInt8(value >> 8)]
    }

    private static func append32(_ bytes: inout [UInt8], _ value: UInt32) {
        bytes += [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8(value >> 24)]
    }

    private static func littleEndian32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }
}
