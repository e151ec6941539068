import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP socket connected to 127.0.0.1, for tests that speak raw HTTP: what client libraries
/// never send, and clients that read slowly.
public enum LoopbackSocket {
    public struct ConnectFailed: Error {
        public let code: Int32
    }

    /// `receiveBuffer` shrinks the kernel's receive window, so a client that does not read
    /// pushes back on the server after a few kilobytes rather than megabytes.
    public static func connect(port: Int, receiveBuffer: Int32? = nil) throws -> Int32 {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBuffer { setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(fd)
            throw ConnectFailed(code: code)
        }
        return fd
    }
}
