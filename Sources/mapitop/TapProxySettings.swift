import Collectors
import ConfigFile
import Foundation
import Recorder
import Wire

/// The tap's HTTPS-proxy settings, the same for `record`, `tap` and `watch`: the hosts it
/// decrypts and tunnels to from the configuration, its TLS listener from `--tap-tls` or
/// `[tap] tls_listen`, and its authority in the state folder (DESIGN.md section 11).
struct TapProxySettings {
    var intercept: [String]
    /// nil: tunnels anywhere (a tap on loopback); beyond loopback only the listed hosts.
    var tunnel: [String]?
    var tls: ListenAddress?
    var authority: AuthorityFiles

    init(_ configuration: Configuration, tapTLS: ListenAddress?, listensBeyondLoopback: Bool,
         environment: [String: String] = ProcessInfo.processInfo.environment) {
        intercept = configuration.tapIntercept
        tunnel = listensBeyondLoopback ? (configuration.tapTunnel ?? []) : nil
        tls = tapTLS ?? configuration.tapTLSListen
        authority = AuthorityFiles(stateFolder: StateFolder.path(environment: environment))
    }

    func apply(to tap: inout TapConfiguration) {
        tap.intercept = intercept
        tap.tunnel = tunnel
        tap.authority = authority
        if let tls {
            tap.tlsHost = tls.host
            tap.tlsPort = tls.port
        }
    }

    func apply(to options: inout RecordingOptions) {
        options.intercept = intercept
        options.tunnel = tunnel
        options.authority = authority
        options.tapTLS = tls
    }
}
