import Foundation
import NIOCore
import NIOSSL

/// Where the tap forwards, parsed once from `TapConfiguration.upstream`: the one host it
/// connects to, the path it puts before every target, and for https the TLS context every
/// connection shares (making one loads the system's trust roots, too slow for each call).
struct UpstreamTarget: Sendable {
    let url: String
    let host: String
    let port: Int
    /// The upstream URL's path without its trailing slash, put before every target.
    let basePath: String
    /// The Host header the upstream expects: its host, and its port unless it is the scheme's.
    let hostHeader: String
    /// nil for http.
    let tls: NIOSSLContext?
    /// The name TLS checks the certificate against; nil for an address, which has none.
    let tlsHostname: String?
    /// Why no call can be forwarded (a URL without a host, an unknown scheme, no TLS context),
    /// said in every 502 instead of failing the tap's start.
    let unusable: String?

    init(_ text: String) {
        url = text
        let parsed = URL(string: text)
        let scheme = parsed?.scheme?.lowercased()
        let secure = scheme == "https"
        let host = parsed?.host ?? ""
        self.host = host
        let defaultPort = secure ? 443 : 80
        port = parsed?.port ?? defaultPort
        var path = parsed.map { $0.path(percentEncoded: true) } ?? ""
        while path.hasSuffix("/") { path.removeLast() }
        basePath = path
        let bracketed = host.contains(":") ? "[\(host)]" : host
        hostHeader = port == defaultPort ? bracketed : "\(bracketed):\(port)"
        tlsHostname = secure && !Self.isAddress(host) ? host : nil
        var tls: NIOSSLContext?
        var unusable: String?
        if host.isEmpty || (scheme != "http" && !secure) {
            unusable = "the upstream \(text) is not an http or https URL with a host"
        } else if secure {
            do {
                tls = try NIOSSLContext(configuration: .makeClientConfiguration())
            } catch {
                unusable = "no TLS context for \(text): \(error)"
            }
        }
        self.tls = tls
        self.unusable = unusable
    }

    private static func isAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}
