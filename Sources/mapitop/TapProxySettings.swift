import Collectors
import ConfigFile
import ArgumentParser
import Foundation
import ManagementAPI
import Recorder
import Wire

/// The tap's HTTPS-proxy settings, the same for `record`, `tap` and `watch`: the hosts it
/// decrypts and tunnels to from the configuration, its TLS listener from `--tap-tls` or
/// `[tap] tls_listen`, and its authority in the state folder (DESIGN.md section 11).
struct TapProxySettings {
    var intercept: [String]
    /// `[tap] tunnel`: a tap beyond loopback tunnels only to these (TapConfiguration.rules).
    var tunnel: [String]
    var tls: ListenAddress?
    var authority: AuthorityFiles
    var jobRules: [JobRule]

    /// `allowRemote`: whether a TLS listener from the configuration may be beyond loopback
    /// (the flag's own value is checked where the flag is read).
    init(_ configuration: Configuration, tapTLS: ListenAddress?, allowRemote: Bool,
         environment: [String: String] = ProcessInfo.processInfo.environment) throws(ValidationError) {
        intercept = configuration.tapIntercept
        tunnel = configuration.tapTunnel ?? []
        jobRules = configuration.jobRules
        if tapTLS == nil, let listen = configuration.tapTLSListen {
            try ListenFlag.requireLoopback(listen, allowed: allowRemote,
                                           what: "\(configuration.path ?? "the configuration"): tap.tls_listen \(listen)")
        }
        tls = tapTLS ?? configuration.tapTLSListen
        authority = AuthorityFiles(stateFolder: StateFolder.path(environment: environment))
    }

    func apply(to tap: inout TapConfiguration) {
        tap.intercept = intercept
        tap.tunnel = tunnel
        tap.authority = authority
        tap.jobRules = jobRules
        if let tls {
            tap.tlsHost = tls.host
            tap.tlsPort = tls.port
        }
    }

    func apply(to options: inout RecordingOptions) {
        options.intercept = intercept
        options.tunnel = tunnel
        options.authority = authority
        options.jobRules = jobRules
        options.tapTLS = tls
    }
}
