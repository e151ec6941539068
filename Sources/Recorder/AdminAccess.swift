import Foundation
import Hummingbird
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// Who may read the recorder through its admin server (DESIGN.md section 8). The journal holds
/// paths, query strings and bodies behind its 0600 mode; the admin server must not hand them to
/// anyone who could not read the file.
/// - A `Host` that is not an address the server answers on is 421: a web page cannot reach it
///   through DNS rebinding.
/// - `/v1/*` (calls, events) is 403 unless the connection comes from loopback and its socket
///   belongs to the recorder's user or to a reader the config names; a remote viewer comes
///   through `ssh -L`, which arrives as its own user.
/// - `/metrics` and `/healthz` carry no call content and stay open, for Prometheus.
public struct AdminAccess: Sendable {
    public enum Decision: Sendable, Equatable {
        case allowed
        case misdirected
        case forbidden(String)
    }

    /// The recorder's own user, and the users `[admin] readers` names.
    public let readers: Set<UInt32>
    /// Whose socket a loopback connection is (the kernel's socket table); injected in tests.
    let owner: @Sendable (_ peer: SocketAddress, _ local: SocketAddress) -> UInt32?

    public init(ownUser: UInt32 = getuid(), readers: [UInt32] = []) {
        self.init(readers: Set([ownUser] + readers), owner: SocketOwner.uid)
    }

    init(readers: Set<UInt32>, owner: @escaping @Sendable (SocketAddress, SocketAddress) -> UInt32?) {
        self.readers = readers
        self.owner = owner
    }

    /// Routes open to anyone: they carry no call content.
    static let openRoutes: Set<Substring> = ["healthz", "metrics"]

    /// Whether `path` may be answered to this connection. `host` is the request's Host header.
    /// Deny by default: only the open routes skip the reader check, however the path is
    /// spelled (the router treats `//v1/calls` as `/v1/calls`).
    public func decide(path: String, host: String?, peer: SocketAddress?, local: SocketAddress?) -> Decision {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        let open = parts.count == 1 && Self.openRoutes.contains(parts[0])
        if let host, let local, !Self.answersOn(host: host, local: local) {
            // Bound beyond loopback (--allow-remote), Prometheus scrapes by a name of this
            // machine that no rule here knows: the open routes take any Host there.
            guard open, !Self.isLoopback(local) else { return .misdirected }
        }
        guard !open else { return .allowed }
        guard let peer, let local, Self.isLoopback(peer) else {
            return .forbidden("call content is only for this machine's users: come through ssh -L")
        }
        guard let uid = owner(peer, local) else { return .forbidden("cannot tell whose connection this is") }
        guard readers.contains(uid) else {
            return .forbidden("user \(uid) may not read this recorder's journal; the config's [admin] readers names who may")
        }
        return .allowed
    }

    /// `127.0.0.1`, `localhost`, `[::1]` or the address the server answered on, with any port
    /// or none: a page reaching it through DNS rebinding names its own host, and `ssh -L 9000:…`
    /// arrives naming the forwarded port.
    static func answersOn(host: String, local: SocketAddress) -> Bool {
        var names: Set<String> = ["127.0.0.1", "localhost", "[::1]"]
        if let ip = local.ipAddress { names.insert(ip.contains(":") ? "[\(ip)]" : ip) }
        let lowered = host.lowercased()
        let name: Substring
        if lowered.hasPrefix("["), let close = lowered.firstIndex(of: "]") {
            name = lowered[...close]
            guard lowered[lowered.index(after: close)...].allSatisfy({ $0 == ":" || $0.isNumber }) else { return false }
        } else {
            let pieces = lowered.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard pieces.count == 1 || (pieces.count == 2 && pieces[1].allSatisfy(\.isNumber)) else { return false }
            name = pieces[0]
        }
        return names.contains(String(name))
    }

    static func isLoopback(_ address: SocketAddress) -> Bool {
        guard let ip = address.ipAddress else { return false }
        return ip.hasPrefix("127.") || ip == "::1" || ip.hasPrefix("::ffff:127.")
    }
}

/// A middleware that carries out `AdminAccess` for every request, in the API's error shape.
struct AdminAccessMiddleware: RouterMiddleware {
    typealias Context = AdminRequestContext
    let access: AdminAccess

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        switch access.decide(path: request.uri.path, host: request.head.authority,
                             peer: context.peer, local: context.local) {
        case .allowed:
            return try await next(request, context)
        case .misdirected:
            throw AdminError(status: .misdirectedRequest, code: "misdirected_request",
                             description: "The recorder answers only requests addressed to this machine's loopback.")
        case .forbidden(let why):
            throw AdminError(status: .forbidden, code: "forbidden", description: "Forbidden: \(why).")
        }
    }
}

/// Whose a loopback TCP socket is: the kernel's socket table (`/proc/net/tcp` and `tcp6`)
/// lists each socket with its owner's uid. The peer's socket is the row whose local end is
/// the peer's address and whose remote end is the server's.
enum SocketOwner {
    static func uid(peer: SocketAddress, local: SocketAddress) -> UInt32? {
        guard let peerKey = key(peer), let localKey = key(local) else { return nil }
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = contents(of: table) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count > 7 else { continue }
                if matches(fields[1], peerKey), matches(fields[2], localKey) { return UInt32(fields[7]) }
            }
        }
        return nil
    }

    /// A file of /proc, read to its end: its size says 0, so reads that trust the size get nothing.
    static func contents(of path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The port, and the IPv4 address (or the IPv4 inside a mapped IPv6 one, or ::1).
    private struct Key {
        let ipv4: UInt32?
        let isIPv6Loopback: Bool
        let port: Int
    }

    private static func key(_ address: SocketAddress) -> Key? {
        guard let ip = address.ipAddress, let port = address.port else { return nil }
        if ip == "::1" { return Key(ipv4: nil, isIPv6Loopback: true, port: port) }
        let dotted = ip.hasPrefix("::ffff:") ? String(ip.dropFirst(7)) : ip
        let parts = dotted.split(separator: ".").compactMap { UInt32($0) }
        guard parts.count == 4 else { return nil }
        return Key(ipv4: parts[0] << 24 | parts[1] << 16 | parts[2] << 8 | parts[3], isIPv6Loopback: false, port: port)
    }

    /// A table's `ADDRESS:PORT` in hex, the address in the kernel's byte order (32 hex digits
    /// for IPv6, of four 32-bit words each in host order).
    private static func matches(_ field: Substring, _ key: Key) -> Bool {
        let parts = field.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1], radix: 16), port == key.port else { return false }
        let hex = parts[0]
        if hex.count == 8 {
            guard let value = UInt32(hex, radix: 16), let ipv4 = key.ipv4 else { return false }
            return value.byteSwapped == ipv4
        }
        guard hex.count == 32 else { return false }
        let words = stride(from: 0, to: 32, by: 8).map { offset -> UInt32 in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return UInt32(hex[start..<hex.index(start, offsetBy: 8)], radix: 16).map(\.byteSwapped) ?? 0
        }
        if key.isIPv6Loopback { return words == [0, 0, 0, 1] }
        guard let ipv4 = key.ipv4 else { return false }
        return words[0] == 0 && words[1] == 0 && words[2] == 0xFFFF && words[3] == ipv4
    }
}
