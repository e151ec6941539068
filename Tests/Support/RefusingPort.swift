#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs `body` with a loopback TCP port that is bound but never listened on, held until
/// `body` returns: a connection to it is refused at once.
///
/// Why not bind a listener and close it: tests run in parallel, and the kernel hands a just
/// released ephemeral port to the next `bind(port: 0)`, so another test's server could answer
/// at the "closed" port. Holding the bound socket keeps the port ours and silent.
public func withRefusingPort<Result>(_ body: (_ port: Int) async throws -> Result) async throws -> Result {
    let held = try RefusingPort()
    defer { held.release() }
    return try await body(held.port)
}

struct RefusingPort {
    let port: Int
    private let descriptor: Int32

    init() throws(RefusingPortError) {
        #if canImport(Glibc)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw RefusingPortError(step: "socket", errno: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else {
            let code = errno
            close(descriptor)
            throw RefusingPortError(step: "bind", errno: code)
        }
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    func release() { close(descriptor) }
}

public struct RefusingPortError: Error, CustomStringConvertible {
    public let step: String
    public let errno: Int32
    public var description: String { "could not hold a refusing port: \(step) failed with errno \(errno)" }
}
