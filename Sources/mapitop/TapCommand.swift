import ArgumentParser
import Collectors
import ConfigFile
import Foundation
import Hummingbird
import LogFile
import ManagementAPI
import ServiceLifecycle
import Supervision
import TextSafety
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// `mapitop tap`: the recording reverse proxy alone, one line per call on stdout.
struct TapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tap",
        abstract: "Run the tap alone: a local reverse proxy that records your jobs' calls.",
        discussion: """
            Point a job's base URL at the tap (e.g. http://127.0.0.1:8787) instead of the API. \
            The tap forwards every call to the upstream unchanged, returns the answer unchanged, \
            never retries, and prints one line per call: time, token label (or #fingerprint), \
            method, path, status, latency and error codes. It costs no quota of its own.
            """)

    @Option(help: ArgumentHelp("Address to listen on, HOST:PORT. Non-loopback needs --allow-remote.", valueName: "host:port"))
    var listen = TapConfiguration.defaultListen

    @Option(help: ArgumentHelp("Where to forward (default: the configuration's api_base).", valueName: "url"))
    var upstream: String?

    @Option(help: ArgumentHelp("The configuration file, for token labels and api_base.", valueName: "path"))
    var config: String?

    @Option(help: ArgumentHelp("Also listen with TLS on HOST:PORT, for clients that keep port 443 (jwplatform's host=).",
                               valueName: "host:port"))
    var tapTLS: String?

    @Flag(help: "Allow a non-loopback --listen address (the tap then serves your network).")
    var allowRemote = false

    @Option(help: ArgumentHelp("Seconds to wait for the upstream before answering 504.", valueName: "seconds"))
    var upstreamTimeout = 60

    @Option(help: ArgumentHelp("Log file (none by default). SIGHUP reopens it, as logrotate expects.", valueName: "path"))
    var logFile: String?

    func validate() throws {
        try ListenFlag.check(listen, flag: "--listen", allowRemote: allowRemote)
        if let tapTLS { try ListenFlag.check(tapTLS, flag: "--tap-tls", allowRemote: allowRemote) }
        if let upstream, URL(string: upstream)?.host == nil || !(upstream.hasPrefix("http://") || upstream.hasPrefix("https://")) {
            throw ValidationError("--upstream must be an http or https URL")
        }
        guard upstreamTimeout > 0 else { throw ValidationError("--upstream-timeout must be positive") }
    }

    func run() async throws {
        let configuration = try ConfigOptions(config: config).load()
        let address = try ListenAddress(parsing: listen)
        let labels = Dictionary(configuration.tokens.map { ($0.token.fingerprint, $0.token.label) }, uniquingKeysWith: { first, _ in first })
        var tap = TapConfiguration(host: address.host, port: address.port, upstream: upstream ?? configuration.apiBase,
                                   upstreamTimeout: .seconds(upstreamTimeout), labels: labels)
        do {
            try TapProxySettings(configuration, tapTLS: try tapTLS.map(ListenAddress.init(parsing:)), allowRemote: allowRemote).apply(to: &tap)
        } catch {
            Diagnostics.fail("mapitop tap: \((error as? ValidationError)?.message ?? "\(error)")", exitCode: ExitCodes.usage)
        }
        let file = try logFile.map { try LogFile(path: $0) }
        let reopenOnHangUp = file?.reopen(on: SIGHUP)
        defer { reopenOnHangUp?.cancel() }
        let logger = Logging.logger(writingTo: file, label: "mapitop.tap")
        let server: StartedServer
        let status = TapStatus()
        do {
            server = try await ServerStartup.start(address: address.description, logger: logger) { onServerRunning in
                Tap.application(tap, logger: logger, status: status, notice: { StandardError.line("mapitop tap: " + TextEscapes.cell($0)) },
                                onServerRunning: onServerRunning, afterBatch: { StandardOutput.flush() },
                                sink: { record in StandardOutput.batched(TapLine.format(record)) })
            }
        } catch {
            Diagnostics.fail("tap: \(error)", exitCode: 1)
        }
        var listening = "mapitop tap: listening on http://\(ListenAddress.describe(host: address.host, port: server.port))"
        if let tls = tap.tlsHost, let port = status.tlsPort { listening += " and https://\(ListenAddress.describe(host: tls, port: port))" }
        listening += ", forwarding to \(tap.upstream)"
        let banner = listening
        await HeadlessServer.run("the tap", server, logger: logger) { StandardOutput.line(banner) }
    }
}

/// One line per call: `14:03:27 ingest POST /v2/sites/Abcd1234/media/ 400 23ms too_long,required`.
enum TapLine {
    static let maxCodes = 8
    static let maxCodeLength = 64
    static let maxPathLength = 512

    static func format(_ record: CallRecord) -> String {
        let time = timeOfDay(record.time)
        let status: String
        switch record.outcome {
        case .status(let code): status = String(code)
        case .transport(let failure): status = failure.rawValue
        }
        // A hostile answer can carry thousands of entries: the line names the first few.
        let shown = record.errors.prefix(maxCodes).map { String($0.code.prefix(maxCodeLength)) }
        let more = record.errors.count > maxCodes ? ",+\(record.errors.count - maxCodes) more" : ""
        let codes = shown.joined(separator: ",") + more
        let fields = [time, record.token.displayName, record.method, String(record.path.prefix(maxPathLength)), status, "\(record.latency.milliseconds)ms"]
            + (codes.isEmpty ? [] : [codes])
        return TextEscapes.cell(fields.joined(separator: " "))
    }

    /// `HH:mm:ss` in UTC, as ISO 8601 writes it.
    static func timeOfDay(_ time: Date) -> String { TimeOfDay.text(time, in: TimeOfDay.utc) }
}
