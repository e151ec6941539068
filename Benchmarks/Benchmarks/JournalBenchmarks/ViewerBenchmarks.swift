import AsyncHTTPClient
import Benchmark
import Collectors
import Dashboard
import Feed
import Foundation
import Journal
import Logging
import ManagementAPI
import Monitor
import Recorder
import Screen
import Simulator
import Supervision
import Synchronization

/// Issue 13: attaching a viewer to an hour of 20 busy tokens and drawing its first frame, one
/// time-travel step to its redrawn frame, and how long an event takes from the tap's answer to
/// the viewer.

final class FixedClock: WallClock {
    let moment: Date
    init(_ moment: Date) { self.moment = moment }
    func now() -> Date { moment }
}

let quiet = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
let hourEnd = WeekTraffic.start.addingTimeInterval(3_600)
let viewerScratch = Scratch()

/// The first hour of the week (72 000 calls) in a journal, and a recorder's admin server on it.
struct AttachedJournal: Sendable {
    let reader: JournalReader
    let admin: String
}

func hourJournal() async throws -> AttachedJournal {
    try FileManager.default.createDirectory(atPath: viewerScratch.folder, withIntermediateDirectories: true)
    try await writeTraffic(to: viewerScratch.journal, seconds: 3_600)
    // The admin server a viewer attaches to, on a writer of its own (the recorder's).
    let recorderWriter = try JournalWriter(path: viewerScratch.journal)
    let reader = try JournalReader(path: viewerScratch.journal)
    let sources = AdminSources(writer: recorderWriter, reader: reader)
    let server = try await ServerStartup.start(address: "127.0.0.1:0", logger: quiet) { onServerRunning in
        buildAdminApplication(sources: sources, port: 0, logger: quiet, onServerRunning: onServerRunning)
    }
    return AttachedJournal(reader: reader, admin: "127.0.0.1:\(server.port)")
}

func attach(_ journal: AttachedJournal, clock: any WallClock) -> Viewer {
    Viewer(sources: [Viewer.Source(
        name: journal.admin, client: RecorderClient(base: "http://" + journal.admin, httpClient: HTTPClient.shared), journal: journal.reader)],
        clock: clock)
}

func viewerState(_ snapshot: Snapshot) -> State {
    var state = State(session: SessionInfo(apiBase: "https://api.jwplayer.com", probesPerMinute: 2, viewer: .attached("127.0.0.1:8788")),
                      size: TerminalSize(width: 200, height: 60), now: hourEnd)
    state = update(state, .snapshot(snapshot)).state
    return state
}

/// Waits (polling, a millisecond at a time) until `condition` holds.
func until(_ condition: () -> Bool) async {
    while !condition() { try? await Task.sleep(for: .milliseconds(1)) }
}

func viewerBenchmarks() {
    let configuration = Benchmark.Configuration(metrics: [.wallClock], maxDuration: .seconds(30), maxIterations: 20)

    // Target ≤ 300 ms: from nothing to the first frame of a window attached to the hour.
    Benchmark("viewer: attach to one hour of 20 busy tokens and draw the first frame",
              configuration: configuration) { (benchmark: Benchmark, journal: AttachedJournal) in
        for _ in benchmark.scaledIterations {
            benchmark.startMeasurement()
            let viewer = attach(journal, clock: FixedClock(hourEnd))
            let running = Task { await viewer.run() }
            // Every call of the hour in the monitor (72 000), then the frame.
            await until { viewer.monitor.version >= 72_000 }
            blackHole(DashboardView.render(viewerState(viewer.monitor.snapshot())))
            benchmark.stopMeasurement()
            // Closing the window is not part of opening it.
            running.cancel()
            await running.value
        }
    } setup: {
        try await hourJournal()
    }

    // Target ≤ 150 ms: a step of one minute back, from the key to the redrawn frame.
    Benchmark("viewer: one time-travel step to its redrawn frame",
              configuration: configuration) { (benchmark: Benchmark, attached: (Viewer, ScreenState)) in
        let (viewer, screen) = attached
        for _ in benchmark.scaledIterations {
            // Back a minute each time, from where the last run stopped: a moment not built
            // before, as a user stepping back sees.
            var state = screen.state.withLock { $0 }
            state = update(state, .key(.character("["))).state
            let moment = state.replay!.moment
            state = update(state, .replayed(viewer.replay(at: moment, filter: .empty), asked: moment)).state
            blackHole(DashboardView.render(state))
            screen.state.withLock { [state] in $0 = state }
        }
    } setup: {
        let journal = try await hourJournal()
        // The held hour reaches back far enough for 20 steps without fetching.
        let viewer = attach(journal, clock: FixedClock(hourEnd))
        Task { await viewer.run() }
        await until { viewer.lines().first?.historySince != nil }
        _ = viewer.replay(at: hourEnd.addingTimeInterval(-1_800), filter: .empty)
        await until { viewer.replay(at: hourEnd.addingTimeInterval(-1_800), filter: .empty).complete }
        return (viewer, ScreenState(viewerState(viewer.monitor.snapshot())))
    }

    // Baseline for both: the same hour's calls, in memory, into a monitor, and one frame.
    Benchmark("baseline: the same hour from memory into a monitor, and one frame",
              configuration: configuration) { (benchmark: Benchmark, calls: [CallRecord]) in
        for _ in benchmark.scaledIterations {
            var core = MonitorCore()
            for record in calls { core.ingest(record) }
            blackHole(DashboardView.render(viewerState(core.snapshot(now: hourEnd))))
        }
    } setup: {
        WeekTraffic().calls(seconds: 0..<3_600).map(\.record)
    }

    // Target p99 ≤ 100 ms: a call through a recorder's tap, from its answer to the viewer's
    // monitor; beside it, the call's own round trip through the tap.
    let latency = BenchmarkMetric.custom("tap answer to viewer (ms)", polarity: .prefersSmaller, useScalingFactor: false)
    let roundTrip = BenchmarkMetric.custom("baseline: the call's round trip (ms)", polarity: .prefersSmaller, useScalingFactor: false)
    Benchmark("viewer: event latency, tap answer to the viewer's monitor (200 calls, one at a time)",
              configuration: .init(metrics: [.wallClock, latency, roundTrip], maxDuration: .seconds(60), maxIterations: 1)) { (benchmark: Benchmark, setup: (Viewer, String)) in
        let (viewer, tap) = setup
        for index in 0..<200 {
            let before = viewer.monitor.version
            var request = HTTPClientRequest(url: tap + "/v2/webhooks/")
            request.headers.add(name: "Authorization", value: "Bearer " + LoopbackBench.secret)
            let sent = ContinuousClock.now
            let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(10))
            _ = try? await response?.body.collect(upTo: 1 << 20)
            let answered = ContinuousClock.now
            await until { viewer.monitor.version > before }
            let arrived = ContinuousClock.now
            if index >= 10 {  // the first calls warm the connections up
                benchmark.measurement(latency, Int((arrived - answered).milliseconds.rounded()))
                benchmark.measurement(roundTrip, Int((answered - sent).milliseconds.rounded()))
            }
        }
    } setup: {
        let folder = Scratch()
        let simulator = try await ServerStartup.start(address: "127.0.0.1:0", logger: quiet) { onServerRunning in
            buildApplication(SimulatorConfiguration(port: 0, tokens: [SimulatedToken(label: "bench", secret: LoopbackBench.secret)],
                                                    quotaPerMinute: 100_000_000), logger: quiet, onServerRunning: onServerRunning)
        }
        let options = RecordingOptions(
            journalPath: folder.journal, admin: .loopbackAnyPort, tap: .loopbackAnyPort,
            upstream: "http://127.0.0.1:\(simulator.port)", probes: [], probesPerMinute: 1, labels: [:])
        let recording = try await Recording.start(options, logger: quiet) { _ in }
        let viewer = Viewer(sources: [Viewer.Source(
            name: recording.adminAddress, client: RecorderClient(base: "http://" + recording.adminAddress, httpClient: HTTPClient.shared),
            journal: recording.reader)])
        Task { await viewer.run() }
        await until { viewer.lines().first?.condition == .live }
        return (viewer, "http://" + (recording.tapAddress ?? ""))
    }
}

/// The dashboard's state carried from one run of a benchmark to the next.
final class ScreenState: Sendable {
    let state: Mutex<State>
    init(_ state: State) { self.state = Mutex(state) }
}

enum LoopbackBench {
    static let secret = "bench-viewer-secret"
}

extension Duration {
    var milliseconds: Double { seconds * 1_000 }
}

