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
            before a job, or --shell systemd for a unit's EnvironmentFile=.
            """)

    enum Shell: String, ExpressibleByArgument, CaseIterable {
        /// `export NAME='value'`, for eval in sh, bash, zsh.
        case posix
        /// `set -gx NAME 'value'`.
        case fish
        /// `NAME="value"`, for a systemd unit's `EnvironmentFile=`.
        case systemd
    }

    @Option(help: ArgumentHelp("posix (export lines), fish (set -gx lines) or systemd (an EnvironmentFile).", valueName: "shell"))
    var shell = Shell.posix

    @Option(help: ArgumentHelp("The journal of the recorder to use (default: the default journal's recorder).", valueName: "path"))
    var journal: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let runtime = RuntimeFile.read(journal: journal.map(AbsolutePath.of), environment: environment) else {
            Diagnostics.fail("mapitop env: no recorder is running; start one with a tap (mapitop record --tap 127.0.0.1:8787, "
                + "or [tap] listen in the configuration), then run mapitop env again", exitCode: ExitCodes.unavailable)
        }
        // Everything printed comes from parsed addresses, never the runtime file's text as it is.
        guard let tap = runtime.tap.flatMap({ try? ListenAddress(parsing: $0) }) else {
            Diagnostics.fail("mapitop env: the recorder (pid \(runtime.pid)) runs no tap; restart it with --tap 127.0.0.1:8787 "
                + "or [tap] listen", exitCode: ExitCodes.unavailable)
        }
        let tls = runtime.tapTLS.flatMap { try? ListenAddress(parsing: $0) }
        // The recorder's own authority, as it made it at start: env reads it, never renews it.
        let files = runtime.authority.map(AuthorityFiles.init(folder:)) ?? AuthorityFiles(stateFolder: StateFolder.path(environment: environment))
        for path in [files.bundlePath, files.certificatePath] where !TextEscapes.isPlainForShell(path) || path.contains("\n") {
            Diagnostics.fail("mapitop env: the path \(TextEscapes.cell(path)) holds control characters; set XDG_STATE_HOME to a plain one",
                             exitCode: ExitCodes.usage)
        }
        do {
            guard let authority = try files.existing() else {
                Diagnostics.fail("mapitop env: the recorder's tap has not made its authority in \(files.folder); "
                    + "its stderr (or log) says why", exitCode: ExitCodes.unavailable)
            }
            if try files.writeBundle(authority: authority) == nil {
                StandardError.line("mapitop env: no system list of authorities found (\(AuthorityFiles.systemBundles.joined(separator: ", "))); "
                    + "the bundle holds mapitop's alone, so tunnelled HTTPS to other hosts will not verify")
            }
        } catch {
            Diagnostics.fail("mapitop env: \(error)", exitCode: ExitCodes.ioError)
        }
        let lines = EnvLines(tap: Self.reachable(tap), tls: tls, files: files, pid: runtime.pid)
        switch shell {
        case .posix: StandardOutput.line(lines.posix)
        case .fish: StandardOutput.line(lines.fish)
        case .systemd: StandardOutput.line(lines.systemd)
        }
    }

    /// A tap on every address is reached on loopback.
    static func reachable(_ address: ListenAddress) -> ListenAddress {
        switch address.host {
        case "0.0.0.0": ListenAddress(host: "127.0.0.1", port: address.port)
        case "::": ListenAddress(host: "::1", port: address.port)
        default: address
        }
    }
}

/// The lines `mapitop env` prints, for a POSIX shell, fish or systemd.
struct EnvLines {
    let tap: ListenAddress
    let tls: ListenAddress?
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
        var lines = [
            "# mapitop env: jobs started from here call api.jwplayer.com through the tap of the recorder (pid \(pid)) at \(tap).",
            "# Only the API's hosts are decrypted; every other HTTPS host is tunnelled untouched.",
            "# JVM: keytool -importcert -noprompt -alias mapitop -file \(files.certificatePath) -keystore mapitop.p12 -storetype PKCS12 -storepass changeit",
            "#      java -Dhttps.proxyHost=\(tap.host) -Dhttps.proxyPort=\(tap.port) -Djavax.net.ssl.trustStore=mapitop.p12 -Djavax.net.ssl.trustStorePassword=changeit ...",
        ]
        if let tls, tls.port == 443 {
            lines.append("# jwplatform (Python): JWPlatformClient(secret, host=\"\(tls.host)\") reaches the tap's TLS listener at \(tls).")
        } else {
            lines.append("# jwplatform (Python) always uses port 443: give the recorder --tap-tls 127.0.0.1:443, then JWPlatformClient(secret, host=\"127.0.0.1\").")
        }
        return lines
    }

    var posix: String { (comments + variables.map { "export \($0.0)=\(Self.posixQuoted($0.1))" }).joined(separator: "\n") }
    var fish: String { (comments + variables.map { "set -gx \($0.0) \(Self.fishQuoted($0.1))" }).joined(separator: "\n") }
    var systemd: String { (comments + variables.map { "\($0.0)=\(Self.systemdQuoted($0.1))" }).joined(separator: "\n") }

    static func posixQuoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }

    static func fishQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    static func systemdQuoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
