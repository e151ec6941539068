import NIOCore

/// The `host:port` of a CONNECT request (RFC 9110's authority form), checked before anything
/// is done with it: a name of letters, digits, `-`, `_` and dots, or an IP address (IPv6 in
/// brackets), and a port from 1 to 65535.
struct ConnectTarget: Equatable, Sendable {
    /// Lowercased, without brackets.
    let host: String
    let port: Int

    /// A name is at most 253 characters; with brackets, a colon and a port, no valid target
    /// is longer than this.
    static let maxLength = 262

    enum Invalid: Error, Equatable {
        case tooLong
        case malformed
        case portZero
    }

    static func parse(_ text: String) -> Result<ConnectTarget, Invalid> {
        guard text.utf8.count <= maxLength else { return .failure(.tooLong) }
        guard let colon = text.lastIndex(of: ":") else { return .failure(.malformed) }
        let portText = text[text.index(after: colon)...]
        guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portText),
              port <= 65_535
        else { return .failure(.malformed) }
        guard port > 0 else { return .failure(.portZero) }
        var host = String(text[..<colon])
        if host.hasPrefix("[") {
            guard host.hasSuffix("]") else { return .failure(.malformed) }
            host = String(host.dropFirst().dropLast())
            guard host.contains(":"), (try? SocketAddress(ipAddress: host, port: 0)) != nil else { return .failure(.malformed) }
            return .success(ConnectTarget(host: host.lowercased(), port: port))
        }
        guard isName(host) else { return .failure(.malformed) }
        return .success(ConnectTarget(host: host.lowercased(), port: port))
    }

    /// Labels of letters, digits, `-` and `_` between single dots (a trailing dot allowed);
    /// an IPv4 address is such a name too.
    private static func isName(_ host: String) -> Bool {
        guard !host.isEmpty, host.utf8.count <= 254 else { return false }
        var labelLength = 0
        for byte in host.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"):
                labelLength += 1
                guard labelLength <= 63 else { return false }
            case UInt8(ascii: "."):
                guard labelLength > 0 else { return false }
                labelLength = 0
            default:
                return false
            }
        }
        return true
    }
}
