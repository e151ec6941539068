import ArgumentParser
import Collectors
import ConfigFile
import Dashboard
import Feed
import Foundation
import Hummingbird
import Logging
import ManagementAPI
import Monitor
import Recorder
import Screen
import ServiceLifecycle
import Supervision
import Wire

/// `mapitop watch` (the default): a window onto the recorder of this machine and any others
/// (DESIGN.md section 9). It attaches to the recorder the runtime file names and never probes;
/// when none runs it records itself, on the same default journal, for as long as it is open.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "The dashboard: live usage per token and the errors of recent calls (the default).",
        discussion: """
            Attaches to the recorder running on this machine (`mapitop record`, found through its \
            runtime file): the one of --journal, else the default journal's, else the only one \
            running (with several it names them). It shows its last hour at once; with none \
            running it records itself (probes, --tap, the journal) while it is open. --source adds recorders elsewhere. \
            Time travel: [ ] one minute, { } ten minutes, b a time, End back to live, --at to start there.
            """)

    @OptionGroup var options: ConfigOptions
    @OptionGroup var display: DisplayOptions

    @Option(help: ArgumentHelp("Embed a tap listening on HOST:PORT (loopback), forwarding to the API base (only when no recorder runs).",
                               valueName: "host:port"))
    var tap: String?

    @Option(help: ArgumentHelp("With --tap, also listen with TLS on HOST:PORT (loopback), for clients that keep port 443.",
                               valueName: "host:port"))
    var tapTLS: String?

    @Option(name: .customLong("source"),
            help: ArgumentHelp("Also follow the recorder whose admin server is at URL, e.g. through `ssh -L` (repeatable; NAME= sets its label suffix).",
                               valueName: "[name=]url"))
    var sources: [String] = []

    @Option(help: ArgumentHelp("Start in the past: -2h, 03:10, 2026-11-25 03:10 (End goes live).", valueName: "time"))
    var at: String?

    @Option(help: ArgumentHelp(
        "Attach to the recorder of this journal, or record on it while open (default: the default journal's recorder, "
            + "else the only live one).", valueName: "path"))
    var journal: String?

    func validate() throws {
        if let tap {
            try ListenFlag.requireLoopback(
                try ListenFlag.parse(tap, flag: "--tap"), allowed: false, what: "--tap \(tap)",
                remedy: "run `mapitop tap --allow-remote` for that")
        }
        if let tapTLS {
            guard tap != nil else { throw ValidationError("--tap-tls needs --tap: the TLS listener is the embedded tap's") }
            try ListenFlag.requireLoopback(
                try ListenFlag.parse(tapTLS, flag: "--tap-tls"), allowed: false, what: "--tap-tls \(tapTLS)",
                remedy: "run `mapitop tap --allow-remote` for that")
        }
        _ = try remotes()
        _ = try startMoment()
    }

    func remotes() throws -> [RemoteSource] {
        let parsed = try sources.map(RemoteSource.init(parsing:))
        if let repeated = Dictionary(grouping: parsed, by: \.name).first(where: { $0.value.count > 1 })?.key {
            throw ValidationError("--source: two sources are named \(repeated); name them apart with NAME=URL")
        }
        return parsed
    }

    func startMoment() throws -> Date? {
        guard let at else { return nil }
        do {
            return try TimeExpression.parse(at, now: Date())
        } catch {
            throw ValidationError("--at: \(error.description)")
        }
    }

    func run() async throws {
        let configuration = try options.load()
        let environment = ProcessInfo.processInfo.environment
        let logger = try Logging.logger(file: display.logFile ?? Logging.defaultPath(environment: environment), label: "mapitop.watch")
        let remotes = try remotes()
        // Before anything starts: a broken theme found after the embedded recorder started
        // left its runtime file and its journal's lock behind.
        let theme = try DashboardRunner.loadTheme(display.theme ?? configuration.theme, environment: environment)
        let setup = try await viewerSetup(configuration, remotes: remotes, environment: environment, logger: logger)
        let session = SessionInfo(
            apiBase: configuration.apiBase, probesPerMinute: configuration.probesPerMinute, tapAddress: setup.recording?.tapAddress,
            viewer: setup.mode)
        do {
            try await DashboardRunner.run(
                session: session, monitor: setup.viewer.monitor, theme: theme, display: display,
                services: setup.services, journal: setup.viewer.sources.first?.journal, viewer: setup.hooks, at: try startMoment(),
                logger: logger)
        } catch {
            await setup.finish(environment: environment)
            throw error
        }
        await setup.finish(environment: environment)
    }

    /// Attached to the recorder here if one runs; else recording itself, unless only remote
    /// sources were asked for.
    private func viewerSetup(
        _ configuration: Configuration, remotes: [RemoteSource], environment: [String: String], logger: Logger
    ) async throws -> ViewerSetup {
        let registered = configuration.tokens.map(\.token.reference)
        let defaultJournal = StateFolder.defaultJournalPath(environment: environment)
        let asked: String?
        switch LiveRecorder.choose(journal: journal, live: RuntimeFile.all(environment: environment), defaultJournal: defaultJournal) {
        case .several(let live):
            throw CommandFailure(
                "\(live.count) recorders run here: " + live.map { "pid \($0.pid) on \($0.journal)" }.joined(separator: ", ")
                    + "; choose one with --journal PATH", exitCode: ExitCodes.usage)
        case .record(let journal):
            asked = journal
        case .attach(let runtime):
            asked = runtime.journal
        }
        let journalPath = asked ?? defaultJournal
        // A live pid whose admin server does not answer is a stale file (the pid reused since):
        // this window records instead, and a journal still held says so in one line.
        if let found = await LiveRecorder.find(journal: journalPath, environment: environment), found.health.answers {
            let running = found.runtime
            if tap != nil {
                Diagnostics.fail(Sanitizer.clean(
                    "a recorder already runs here (pid \(running.pid), admin \(running.admin)) and owns the journal: "
                        + "run watch without --tap to attach to it, or give the tap to `mapitop record`"), exitCode: 1)
            }
            var setup = ViewerSetup.make(
                local: ViewerSetup.attached(running), remotes: remotes, registered: registered, mode: .attached(running.admin),
                recording: nil, runtimeJournal: nil)
            if running.window == true {
                // Another window's recorder: when it quits, this one takes the journal over.
                let takeover = JournalTakeover(viewer: setup.viewer, journal: journalPath, environment: environment, logger: logger) {
                    try await startRecording(configuration, journal: journalPath, tap: nil, environment: environment, logger: logger)
                }
                setup.add(SupervisedService("the journal's takeover", takeover), mode: { takeover.mode })
            }
            return setup
        }
        if !remotes.isEmpty, tap == nil {
            return ViewerSetup.make(local: nil, remotes: remotes, registered: registered, mode: .attached(remotes[0].name),
                                    recording: nil, runtimeJournal: nil)
        }
        let tapActivity = TapActivity()
        let tapAddress = try tap.map(ListenAddress.init(parsing:))
        let recording: Recording
        do {
            // Everything listens before the screen starts: a taken port or a locked journal is
            // one line and an exit status, not a dashboard over a recorder that never ran.
            recording = try await startRecording(
                configuration, journal: journalPath, tap: tapAddress, observers: [tapActivity.observer], environment: environment, logger: logger)
        } catch {
            Diagnostics.fail(Sanitizer.clean(error.description), exitCode: error.exitCode)
        }
        return ViewerSetup.make(
            local: ViewerSetup.embedded(recording), remotes: remotes, registered: registered, mode: .embedded(recording.adminAddress), recording: recording,
            runtimeJournal: journalPath, tapActivity: tapActivity)
    }

    /// A recorder of this window's own on `journalPath`, published in the runtime file (marked
    /// as a window's) so a second window attaches to it instead of fighting over the journal,
    /// and may take it over when this one quits.
    private func startRecording(
        _ configuration: Configuration, journal journalPath: String, tap: ListenAddress?, observers: [Recording.Observer] = [],
        environment: [String: String], logger: Logger
    ) async throws(RecordingStartError) -> Recording {
        var options = RecordingOptions(
            journalPath: journalPath, admin: .loopbackAnyPort, tap: tap, upstream: configuration.apiBase,
            probes: configuration.tokens.map { ProbeTarget(token: $0.token, request: $0.probeRequest) },
            probesPerMinute: configuration.probesPerMinute,
            labels: Dictionary(configuration.tokens.map { ($0.token.fingerprint, $0.token.label) }, uniquingKeysWith: { first, _ in first }))
        options.adminReaders = configuration.adminReaders
        if tap != nil {
            do {
                try TapProxySettings(configuration, tapTLS: tapTLS.flatMap { try? ListenAddress(parsing: $0) }, allowRemote: false, environment: environment).apply(to: &options)
            } catch {
                Diagnostics.fail(error.message, exitCode: ExitCodes.usage)
            }
        }
        let recording = try await Recording.start(options, observers: observers, logger: logger) { line in
            logger.warning("\(line)")
        }
        do {
            try RuntimeFile(admin: recording.adminAddress, journal: journalPath, config: configuration.path, window: true,
                            tap: recording.tapAddress, tapTLS: recording.tapTLSAddress,
                            authority: recording.tapAddress == nil ? nil : options.authority?.folder)
                .write(environment: environment)
        } catch {
            logger.warning("cannot write the runtime file: \(error)")
        }
        return recording
    }
}

/// Display options the dashboard commands share.
struct DisplayOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Theme name (default, light, high-contrast, mono) or a path to a theme file.", valueName: "name"))
    var theme: String?

    @Option(help: ArgumentHelp("Show only what matches, e.g. 'token:ingest code:too_long' (see the README).", valueName: "expr"))
    var filter: String?

    @Option(name: .customLong("token"), help: ArgumentHelp("Preset filter on a token label (repeatable).", valueName: "label"))
    var tokens: [String] = []

    @Option(name: .customLong("code"), help: ArgumentHelp("Preset filter on an error code (repeatable).", valueName: "code"))
    var codes: [String] = []

    @Flag(help: "No colours (also when NO_COLOR is set).")
    var noColor = false

    @Flag(help: "ASCII bars and borders only (also in a non-UTF-8 locale).")
    var ascii = false

    @Option(help: ArgumentHelp("Log file (default: $XDG_STATE_HOME/mapitop/mapitop.log).", valueName: "path"))
    var logFile: String?

    func validate() throws {
        _ = try presetFilter()
    }

    /// --filter, --token and --code as one filter; a bad one is a usage error.
    func presetFilter() throws -> Filter {
        var parts = filter.map { [$0] } ?? []
        parts += tokens.map { "token:\(Self.quoted($0))" } + codes.map { "code:\(Self.quoted($0))" }
        do {
            return try Filter(parsing: parts.joined(separator: " "))
        } catch {
            throw ValidationError("--filter: \(error)")
        }
    }

    private static func quoted(_ value: String) -> String {
        value.contains(where: { $0 == " " || $0 == "\"" }) ? "\"" + value.replacingOccurrences(of: "\"", with: "\\\"") + "\"" : value
    }
}

/// A service made of an async closure, for work that should stop with the dashboard.
struct ClosureService: Service {
    let body: @Sendable () async -> Void
    init(_ body: @escaping @Sendable () async -> Void) { self.body = body }
    func run() async throws {
        await cancelWhenGracefulShutdown { await body() }
    }
}
