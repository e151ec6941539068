import ArgumentParser
import Collectors
import ConfigFile
import Foundation
import TextSafety
import Wire

/// `mapitop env`: what a job's environment needs to be tapped without a line of its code
/// changed (DESIGN.md section 11), for the live recorder's tap: `eval "$(mapitop env)"`.
struct EnvCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "env",
        abstract: "Print the environment that routes a job's API calls through the live recorder's tap.",
        discussion: """
            Prints HTTPS_PROXY for the recorder's tap and SSL_CERT_FILE, REQUESTS_CA_BUNDLE and \
            CURL_CA_BUNDLE naming a bundle of the system's authorities plus mapitop's (rewritten \
            when either changes), NODE_EXTRA_CA_CERTS naming mapitop's alone, and comments for \
            the JVM and for jwplatform. Never HTTP_PROXY, never a secret. Use: eval "$(mapitop env)" \
            before a job, or the same lines in a systemd EnvironmentFile=.
            """)

    enum Shell: String, ExpressibleByArgument, CaseIterable {
        case posix, fish
    }

    @Option(help: ArgumentHelp("posix (export lines) or fish (set -gx lines).", valueName: "shell"))
    var shell = Shell.posix

    @Option(help: ArgumentHelp("The journal of the recorder to use (default: the default journal's recorder).", valueName: "path"))
    var journal: String?

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let runtime = RuntimeFile.read(journal: journal.map(AbsolutePath.of), environment: environment) else {
            Diagnostics.fail("mapitop env: no recorder is running; start one with a tap (mapitop record --tap 127.0.0.1:8787, "
                + "or [tap] listen in the configuration), then run mapitop env again", exitCode: ExitCodes.unavailable)
        }
        guard let tap = runtime.tap else {
            Diagnostics.fail("mapitop env: the recorder (pid \(runtime.pid)) runs no tap; restart it with --tap 127.0.0.1:8787 "
                + "or [tap] listen", exitCode: ExitCodes.unavailable)
        }
        let configuration = try options.load()
        let files = AuthorityFiles(stateFolder: StateFolder.path(environment: environment))
        var needed = ProxyRules(intercept: configuration.tapIntercept, upstream: configuration.apiBase).interceptHosts
        if let tls = runtime.tapTLS.flatMap({ try? ListenAddress(parsing: $0) }) { needed.insert(tls.host) }
        let authority: CertificateAuthority
        do {
            authority = try AuthorityStore(files: files, needed: PermittedNames(needed)).current()
            try files.writeBundle(authority: authority)
        } catch {
            Diagnostics.fail("mapitop env: \(error)", exitCode: ExitCodes.ioError)
        }
        let lines = EnvLines(tap: Self.reachable(tap), tapTLS: runtime.tapTLS, files: files, pid: runtime.pid)
        for path in [files.bundlePath, files.certificatePath] where !TextEscapes.isPlainForShell(path) {
            Diagnostics.fail("mapitop env: the path \(TextEscapes.cell(path)) holds control characters; set XDG_STATE_HOME to a plain one",
                             exitCode: ExitCodes.usage)
        }
        StandardOutput.line(shell == .fish ? lines.fish : lines.posix)
    }

    /// A tap on every address is reached on loopback.
    static func reachable(_ address: String) -> String {
        if address.hasPrefix("0.0.0.0:") { return "127.0.0.1" + address.dropFirst("0.0.0.0".count) }
        if address.hasPrefix("[::]:") { return "[::1]" + address.dropFirst("[::]".count) }
        return address
    }
}

/// The lines `mapitop env` prints, for a POSIX shell or fish.
struct EnvLines {
    let tap: String
    let tapTLS: String?
    let files: AuthorityFiles
    let pid: Int32

    var variables: [(String, String)] {
        [
            ("HTTPS_PROXY", "http://\(tap)"),
            ("SSL_CERT_FILE", files.bundlePath),
            ("REQUESTS_CA_BUNDLE", files.bundlePath),
            ("CURL_CA_BUNDLE", files.bundlePath),
            ("NODE_EXTRA_CA_CERTS", files.certificatePath),
        ]
    }

    var comments: [String] {
        let host = tap.split(separator: ":").dropLast().joined(separator: ":")
        let port = tap.split(separator: ":").last.map(String.init) ?? "8787"
        var lines = [
            "# mapitop env: jobs started from here call api.jwplayer.com through the tap of the recorder (pid \(pid)) at \(tap).",
            "# Only the API's hosts are decrypted; every other HTTPS host is tunnelled untouched.",
            "# JVM: keytool -importcert -noprompt -alias mapitop -file \(files.certificatePath) -keystore mapitop.p12 -storetype PKCS12 -storepass changeit",
            "#      java -Dhttps.proxyHost=\(host) -Dhttps.proxyPort=\(port) -Djavax.net.ssl.trustStore=mapitop.p12 -Djavax.net.ssl.trustStorePassword=changeit ...",
        ]
        if let tapTLS {
            let tlsHost = tapTLS.split(separator: ":").dropLast().joined(separator: ":")
            lines.append("# jwplatform (Python): JWPlatformClient(secret, host=\"\(tlsHost)\") reaches the tap's TLS listener at \(tapTLS).")
        } else {
            lines.append("# jwplatform (Python) keeps port 443: give the recorder --tap-tls 127.0.0.1:443, then JWPlatformClient(secret, host=\"127.0.0.1\").")
        }
        return lines
    }

    var posix: String {
        (comments + variables.map { "export \($0.0)=\(Self.posixQuoted($0.1))" }).joined(separator: "\n")
    }

    var fish: String {
        (comments + variables.map { "set -gx \($0.0) \(Self.fishQuoted($0.1))" }).joined(separator: "\n")
    }

    static func posixQuoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }

    static func fishQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}
