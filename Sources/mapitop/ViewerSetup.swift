import ArgumentParser
import AsyncHTTPClient
import Dashboard
import Feed
import Foundation
import Journal
import Logging
import ManagementAPI
import Monitor
import Recorder
import Screen
import ServiceLifecycle
import Supervision
import Synchronization
import Wire

/// What a window watches (DESIGN.md section 9): the recorders it follows, the one it runs
/// itself when none runs here, and the services that keep them going. `watch` and `demo`
/// build one; `DashboardRunner` shows it.
struct ViewerSetup {
    let viewer: Viewer
    let mode: ViewerMode
    /// The embedded recorder, when this window runs one; `finish()` closes it.
    let recording: Recording?
    /// The runtime file this window wrote for its embedded recorder, removed at the end.
    let runtimeJournal: String?
    let tapActivity: TapActivity
    private(set) var services: [any Service]
    /// How the window gets its data once it changed (a journal taken over); nil: as it started.
    private var modeNow: @Sendable () -> ViewerMode? = { nil }

    init(viewer: Viewer, mode: ViewerMode, recording: Recording?, runtimeJournal: String?, tapActivity: TapActivity, services: [any Service]) {
        self.viewer = viewer
        self.mode = mode
        self.recording = recording
        self.runtimeJournal = runtimeJournal
        self.tapActivity = tapActivity
        self.services = services
    }

    /// One more service beside the viewer, which may change how the window gets its data.
    mutating func add(_ service: any Service, mode: @escaping @Sendable () -> ViewerMode?) {
        services.append(service)
        modeNow = mode
    }

    var hooks: ViewerHooks {
        let viewer = viewer
        let tapActivity = tapActivity
        return ViewerHooks(
            version: { viewer.version }, sources: { viewer.lines() }, historyVersion: { viewer.historyVersion },
            replay: { viewer.replay(at: $0, filter: $1) }, returnedLive: { viewer.returnedLive() }, lastTapCall: { tapActivity.last },
            mode: modeNow)
    }

    /// Removes the embedded recorder's runtime file, then writes what it queued and releases
    /// the journal (in that order: a new window may publish its own file once it is free).
    func finish(environment: [String: String]) async {
        if let runtimeJournal { RuntimeFile.remove(journal: runtimeJournal, environment: environment) }
        await recording?.close()
    }

    /// A window over `local` (the recorder here, attached or embedded) and the remote ones.
    /// The first source's tokens keep their names; every later one's show as `label@name`.
    static func make(
        local: Viewer.Source?, remotes: [RemoteSource], registered: [TokenReference], mode: ViewerMode, recording: Recording?,
        runtimeJournal: String?, tapActivity: TapActivity = TapActivity()
    ) -> ViewerSetup {
        var sources = local.map { [$0] } ?? []
        for remote in remotes {
            sources.append(Viewer.Source(
                name: remote.name, client: RecorderClient(base: remote.url, httpClient: SharedHTTPClient.shared),
                suffix: sources.isEmpty ? nil : "@" + remote.name))
        }
        let viewer = Viewer(sources: sources, registered: local == nil ? [] : registered)
        let services: [any Service] = (recording?.services ?? [])
            + [SupervisedService("the viewer", ClosureService { await viewer.run() })]
        return ViewerSetup(viewer: viewer, mode: mode, recording: recording, runtimeJournal: runtimeJournal, tapActivity: tapActivity,
                           services: services)
    }

    /// The recorder on this machine's default journal, as a source: its history read from the
    /// journal file (faster than through its admin server), its live feed over HTTP.
    static func attached(_ runtime: RuntimeFile) -> Viewer.Source {
        Viewer.Source(
            name: runtime.admin, client: RecorderClient(base: "http://" + runtime.admin, httpClient: SharedHTTPClient.shared),
            journal: try? JournalReader(path: runtime.journal))
    }

    static func embedded(_ recording: Recording) -> Viewer.Source {
        Viewer.Source(
            name: recording.adminAddress,
            client: RecorderClient(base: "http://" + recording.adminAddress, httpClient: SharedHTTPClient.shared),
            journal: recording.reader)
    }
}

/// `--source [NAME=]URL`: a recorder elsewhere, typically through `ssh -L`. Its name is the
/// label suffix (`ingest@box2`); without one it is the URL's host, or host:port for a
/// loopback tunnel (two tunnels are both 127.0.0.1).
struct RemoteSource: Sendable, Equatable {
    let name: String
    let url: String

    init(parsing text: String) throws {
        var name: String?
        var url = text
        if let equals = text.firstIndex(of: "="), !text[..<equals].contains("/") {
            name = String(text[..<equals])
            url = String(text[text.index(after: equals)...])
        }
        guard let parsed = URL(string: url), parsed.scheme?.lowercased() == "http", let host = parsed.host, !host.isEmpty else {
            throw ValidationError("--source \(text): give the recorder's admin URL, e.g. http://127.0.0.1:8788 (or box2=http://127.0.0.1:9788)")
        }
        if parsed.user != nil || parsed.password != nil {
            // It would show on screen and in logs with every "does not answer".
            throw ValidationError("--source: a URL with a user or password is refused; use an ssh -L tunnel to a loopback admin server")
        }
        if let name, name.isEmpty || name.contains(where: { $0.isWhitespace || $0 == "@" }) {
            throw ValidationError("--source \(text): a name is one word without '@'")
        }
        let loopback = host == "localhost" || host.hasPrefix("127.") || host == "::1"
        self.name = name ?? (loopback ? "\(host):\(parsed.port ?? 80)" : host)
        self.url = url
    }
}

/// When the embedded tap last answered a call: quitting asks first while it is recent.
final class TapActivity: Sendable {
    private let newest = Mutex<Date?>(nil)

    var last: Date? { newest.withLock { $0 } }

    /// An observer for the recorder: notes each call the tap answered.
    var observer: Recording.Observer {
        { [self] record in
            guard record.source == .tap else { return }
            newest.withLock { $0 = max($0 ?? record.time, record.time) }
        }
    }
}
