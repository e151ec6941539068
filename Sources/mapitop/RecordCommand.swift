import ArgumentParser
import Collectors
import ConfigFile
import Foundation
import LogFile
import Recorder
import ServiceLifecycle
import Supervision
import TextSafety
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// `mapitop record`: the recorder, for systemd or tmux (DESIGN.md section 8). It runs until
/// SIGTERM or SIGINT; the assembly lives in `Recording`, this only reads flags and prints.
struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record: probes, the tap and a journal that outlives every window, with an admin server for viewers.",
        discussion: """
            Runs the probes of every configured token (the only prober), the tap when --tap or the \
            configuration's [tap] listen asks for it, and writes every call into the journal: \
            failed calls in full with their request bodies (up to 64 KiB), successful ones folded \
            into 10-second buckets, and every server figure. Viewers read it through the admin \
            server (/v1/events, /v1/calls, /healthz). It writes the runtime file so viewers find \
            it, and on SIGTERM or SIGINT lets the tap finish its calls, flushes and exits 0.
            """)

    @OptionGroup var options: ConfigOptions

    @Option(help: ArgumentHelp("Run the tap on HOST:PORT (default: the configuration's [tap] listen, else no tap). Non-loopback needs --allow-remote.",
                               valueName: "host:port"))
    var tap: String?

    @Option(help: ArgumentHelp("Also run the tap with TLS on HOST:PORT (default: [tap] tls_listen), for clients that keep port 443.",
                               valueName: "host:port"))
    var tapTLS: String?

    @Option(help: ArgumentHelp("The admin server's address, HOST:PORT. Non-loopback needs --allow-remote.", valueName: "host:port"))
    var admin = RecordingOptions.defaultAdmin

    @Option(help: ArgumentHelp("The journal file (default: $XDG_STATE_HOME/mapitop/journal.sqlite).", valueName: "path"))
    var journal: String?

    @Option(help: ArgumentHelp("Forget records older than this: 7d, 36h, 90m (units s, m, h, d, w).", valueName: "duration"))
    var retain = RetentionLimits.defaultAge

    @Option(help: ArgumentHelp("Keep the journal under this size, oldest day first: 1GiB, 500MiB, 10MB.", valueName: "size"))
    var maxSize = RetentionLimits.defaultSize

    @Flag(help: "Allow non-loopback --tap and --admin addresses (they then serve your network).")
    var allowRemote = false

    @Option(help: ArgumentHelp("Log file (none by default). SIGHUP reopens it, as logrotate expects.", valueName: "path"))
    var logFile: String?

    func validate() throws {
        for (flag, value) in [("--admin", admin), ("--tap", tap), ("--tap-tls", tapTLS)] {
            guard let value else { continue }
            try ListenFlag.check(value, flag: flag, allowRemote: allowRemote)
        }
        do { _ = try RetentionLimits.age(retain) } catch { throw ValidationError("--retain: \(error)") }
        do { _ = try RetentionLimits.size(maxSize) } catch { throw ValidationError("--max-size: \(error)") }
    }

    func run() async throws {
        let configuration = try options.load()
        let environment = ProcessInfo.processInfo.environment
        let tapAddress: ListenAddress?
        if let tap {
            tapAddress = try ListenAddress(parsing: tap)
        } else if let listen = configuration.tapListen {
            do {
                try ListenFlag.requireLoopback(listen, allowed: allowRemote, what: "\(configuration.path ?? "the configuration"): tap.listen \(listen)")
            } catch {
                Diagnostics.fail(error.message, exitCode: ExitCodes.usage)
            }
            tapAddress = listen
        } else {
            tapAddress = nil
        }
        // Absolute, so the runtime file names the same journal whatever folder a viewer runs in.
        let journalPath = journal.map(AbsolutePath.of) ?? StateFolder.defaultJournalPath(environment: environment)
        var recordingOptions = RecordingOptions(
            journalPath: journalPath, admin: try ListenAddress(parsing: admin), tap: tapAddress, upstream: configuration.apiBase,
            probes: configuration.tokens.map { ProbeTarget(token: $0.token, request: $0.probeRequest) },
            probesPerMinute: configuration.probesPerMinute,
            labels: Dictionary(configuration.tokens.map { ($0.token.fingerprint, $0.token.label) }, uniquingKeysWith: { first, _ in first }),
            retain: try RetentionLimits.age(retain), maxBytes: try RetentionLimits.size(maxSize))
        recordingOptions.adminReaders = configuration.adminReaders
        do {
            let proxy = try TapProxySettings(configuration, tapTLS: try tapTLS.map(ListenAddress.init(parsing:)),
                                             allowRemote: allowRemote,
                                             environment: environment)
            if proxy.tls != nil, tapAddress == nil {
                throw ValidationError("--tap-tls (or [tap] tls_listen) needs a tap: give --tap or [tap] listen too")
            }
            proxy.apply(to: &recordingOptions)
        } catch {
            Diagnostics.fail("mapitop record: \((error as? ValidationError)?.message ?? "\(error)")", exitCode: ExitCodes.usage)
        }

        let file = try logFile.map { try LogFile(path: $0) }
        let reopenOnHangUp = file?.reopen(on: SIGHUP)
        defer { reopenOnHangUp?.cancel() }
        let logger = Logging.logger(writingTo: file, label: "mapitop.record")

        let recording: Recording
        do {
            recording = try await Recording.start(recordingOptions, logger: logger) { line in
                StandardError.line("mapitop record: " + TextEscapes.cell(line))
            }
        } catch {
            Diagnostics.fail(TextEscapes.cell(error.description), exitCode: error.exitCode)
        }

        var banner = "mapitop record: journal \(journalPath) · admin http://\(recording.adminAddress)"
        if let tapAddress = recording.tapAddress { banner += " · tap http://\(tapAddress) → \(recording.upstream)" }
        if let tls = recording.tapTLSAddress { banner += " · tap TLS https://\(tls)" }
        StandardOutput.line(TextEscapes.cell(banner))
        // Written once everything listens and SIGTERM is trapped: a viewer that finds it can
        // attach at once, and a stop sent as soon as it appears is a graceful one.
        let runtimeFile = RuntimeFile(admin: recording.adminAddress, journal: journalPath, config: configuration.path,
                                      tap: recording.tapAddress, tapTLS: recording.tapTLSAddress,
                                      authority: recording.tapAddress == nil ? nil : recordingOptions.authority?.folder)
        let publish = WhenRunning {
            do {
                try runtimeFile.write(environment: environment)
            } catch {
                StandardError.line("mapitop record: cannot write the runtime file \(RuntimeFile.path(journal: journalPath, environment: environment)) "
                    + "(\(error.localizedDescription)); viewers will not find this recorder by themselves")
            }
        }

        let group = ServiceGroup(configuration: .init(
            services: ([publish] + recording.services).map { .init(service: $0) },
            // A hang-up of the shell that started it stops it gracefully, journal flushed,
            // rather than killing it; with a log file SIGHUP reopens the log instead.
            gracefulShutdownSignals: [.sigterm, .sigint] + (file == nil ? [.sighup] : []), logger: logger))
        var failure: String?
        do {
            try await group.run()
        } catch {
            failure = "\(error)"
        }
        // Whatever stopped the services, what the journal was given reaches the disk.
        let dropped = recording.journal.health.droppedRecords
        await recording.close()
        RuntimeFile.remove(journal: journalPath, environment: environment)
        if let failure { Diagnostics.fail(TextEscapes.cell(failure), exitCode: 1) }
        // The health watch has stopped: a last flush that failed is said here, or it is lost unsaid.
        let closing = recording.journal.health
        if closing.isDropping || closing.droppedRecords > dropped {
            Diagnostics.fail(TextEscapes.cell("the journal \(journalPath) could not take its last records: "
                + "\(closing.reason ?? "write failed") (\(closing.droppedRecords) records dropped in all)"), exitCode: ExitCodes.ioError)
        }
    }
}
