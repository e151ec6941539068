import NIOCore

/// The names an authority may sign for: the hosts the tap decrypts and the addresses of its
/// TLS listener. They go into the authority's critical name constraints, so its key, even if
/// stolen, signs nothing else a client accepts (DESIGN.md section 11).
public struct PermittedNames: Sendable, Equatable, CustomStringConvertible {
    /// Lowercased DNS names; a constraint on a name permits it and its subdomains.
    public private(set) var hosts: Set<String>
    /// IPv4 (4 bytes) and IPv6 (16 bytes) addresses, each permitted alone (a /32 or /128).
    public private(set) var addresses: Set<[UInt8]>

    /// The names every authority permits: the API's host and loopback, where the TLS listener
    /// runs by default, so that neither an intercept list nor a listener on loopback changes
    /// the authority a job already trusts.
    public static let standard = PermittedNames(["api.jwplayer.com", "localhost", "127.0.0.1", "::1"])

    public init(_ names: some Sequence<String>) {
        hosts = []
        addresses = []
        for name in names { insert(name) }
    }

    public mutating func insert(_ name: String) {
        let trimmed = name.hasPrefix("[") && name.hasSuffix("]") ? String(name.dropFirst().dropLast()) : name
        if let bytes = Self.addressBytes(trimmed) {
            addresses.insert(bytes)
        } else if !trimmed.isEmpty {
            hosts.insert(trimmed.lowercased())
        }
    }

    public func union(_ other: PermittedNames) -> PermittedNames {
        var copy = self
        copy.hosts.formUnion(other.hosts)
        copy.addresses.formUnion(other.addresses)
        return copy
    }

    /// Whether every name of `other` is permitted here (a host under a permitted one counts).
    public func covers(_ other: PermittedNames) -> Bool {
        other.addresses.isSubset(of: addresses) && other.hosts.allSatisfy(permits(host:))
    }

    public func permits(host: String) -> Bool {
        let host = host.lowercased()
        return hosts.contains { host == $0 || host.hasSuffix("." + $0) }
    }

    public func permits(address: [UInt8]) -> Bool { addresses.contains(address) }

    /// Sorted, as `mapitop info` shows them: `api.jwplayer.com, localhost, 127.0.0.1, ::1`.
    public var description: String {
        (hosts.sorted() + addresses.sorted { $0.count != $1.count ? $0.count < $1.count : $0.lexicographicallyPrecedes($1) }.map(Self.text)).joined(separator: ", ")
    }

    /// The 4 or 16 bytes of an IP address in text; nil for a name.
    public static func addressBytes(_ text: String) -> [UInt8]? {
        guard let address = try? SocketAddress(ipAddress: text, port: 0) else { return nil }
        switch address {
        case .v4(let v4): return withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }
        case .v6(let v6): return withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
        case .unixDomainSocket: return nil
        }
    }

    static func text(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        let address = try? SocketAddress(packedIPAddress: ByteBuffer(bytes: bytes), port: 0)
        return address?.ipAddress ?? bytes.map { String($0, radix: 16) }.joined(separator: ":")
    }
}
