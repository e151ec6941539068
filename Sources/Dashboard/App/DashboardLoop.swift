import Foundation
import ManagementAPI
import Monitor
import Screen

/// The run loop: the only code that talks to the terminal. Keys and snapshots become
/// messages for `update`; the view is rendered when the state changed and drawn at most
/// four times a second, and only when the frame differs from the one on screen.
public final class DashboardLoop {
    public static let minimumDrawInterval: Duration = .milliseconds(250)

    private let terminal: any Terminal
    private let monitor: Monitor
    private let clock: any WallClock
    /// Paces the draws (at most four a second); monotonic, and injected so tests can step it.
    private let drawClock: any MonotonicClock
    private let loadTheme: (String) throws -> Theme
    private let stopSignal: () -> Int32?
    private let stopRequested: () -> Bool
    /// `y`: the call as a curl command, and a note on what it holds (see `CurlCopy`).
    private let copyCommand: (CallRecord) -> CurlCopy.Result
    /// The recorders behind the monitor and their past, when the dashboard is a viewer.
    private let viewer: ViewerHooks?
    public private(set) var state: State
    public private(set) var draws = 0

    private var lastVersion: UInt64?
    private var lastSecond: Int?
    private var lastFilter: Filter?
    private var lastViewerVersion: UInt64?
    private var lastTapCall: Date?
    private var lastMode: ViewerMode?
    /// What the replay on screen was built for: a new one is asked when any of it moves.
    private var lastReplay: (moment: Date, filter: Filter, version: UInt64)?
    private var appliedTheme: String?
    private var themeStarted = false
    private var dirty = true
    private var onScreen: Frame?
    private var pending: Frame?
    private var lastDraw: ContinuousClock.Instant?

    public init(terminal: any Terminal, monitor: Monitor, clock: any WallClock, drawClock: any MonotonicClock = SystemMonotonicClock(),
                state: State, loadTheme: @escaping (String) throws -> Theme, stopSignal: @escaping () -> Int32? = { nil },
                stopRequested: @escaping () -> Bool = { false },
                copyCommand: @escaping (CallRecord) -> CurlCopy.Result = { CurlCopy(apiBase: ManagementClient.Configuration.defaultBaseURL).command(for: $0) },
                viewer: ViewerHooks? = nil)
    {
        self.copyCommand = copyCommand
        self.viewer = viewer
        self.terminal = terminal
        self.monitor = monitor
        self.clock = clock
        self.drawClock = drawClock
        self.state = state
        self.loadTheme = loadTheme
        self.stopSignal = stopSignal
        self.stopRequested = stopRequested
        self.state = update(state, .resize(terminal.size)).state
    }

    /// Runs until `q`, Ctrl-C, a signal or `stopRequested` (a collector failed: the caller
    /// says so once the terminal is restored); returns the signal that stopped it, if one did.
    public func run() -> Int32? {
        while !state.quit {
            if let signal = stopSignal() {
                send(.stop)
                return signal
            }
            if stopRequested() {
                send(.stop)
                return nil
            }
            step(keyTimeout: nil)
        }
        return nil
    }

    /// One turn: fresh data, the frame, one key. `keyTimeout` nil waits until the next
    /// tick of the clock or the next allowed draw.
    public func step(keyTimeout: Duration? = nil) {
        refreshData()
        if !themeStarted {
            themeStarted = true
            applyTheme(state.themeName)
        }
        if dirty {
            dirty = false
            let frame = DashboardView.render(state)
            pending = frame == onScreen ? nil : frame
        }
        drawIfDue()
        if let key = terminal.readKey(timeout: keyTimeout ?? waitTime()) {
            if key == .resize { send(.resize(terminal.size)) }
            send(.key(key))
        }
    }

    /// What `update` asked for; only the loop may, since it owns the terminal.
    private func perform(_ effect: Effect) {
        switch effect {
        case .copyAsCurl(let record):
            let copy = copyCommand(record)
            terminal.copyToClipboard(copy.command)
            send(.copied(note: copy.note))
        case .repaintAll:
            terminal.invalidate()
            onScreen = nil
            dirty = true
        case .applyTheme(let name):
            applyTheme(name)
        }
    }

    /// Loads and applies a theme (the state's at start, then each `T`). One that fails keeps the current one on
    /// screen and becomes a message, so `update` can say why: a broken file must never end
    /// the program from the curses thread (the terminal would be left raw).
    private func applyTheme(_ name: String) {
        do {
            let theme = try loadTheme(name)
            // NO_COLOR and --no-color hold for every theme `T` brings, not just the first.
            terminal.apply(theme: state.monochrome ? theme.monochrome : theme)
            appliedTheme = name
            onScreen = nil
            dirty = true
        } catch {
            send(.themeFailed(name: name, reason: StatusText.reason(error), current: appliedTheme))
        }
    }

    private func send(_ message: Message) {
        let updated = update(state, message)
        state = updated.state
        dirty = true
        for effect in updated.effects { perform(effect) }
    }

    /// A new snapshot when data arrived, the second turned, or the filter changed; the
    /// sources' lines when they moved; a replay when the moment, the filter or the history
    /// behind it changed (live data arriving changes no replay).
    private func refreshData() {
        if let viewer { refreshViewer(viewer) }
        let version = monitor.version
        let second = Int(clock.now().timeIntervalSince1970)
        guard version != lastVersion || second != lastSecond || state.filter != lastFilter else { return }
        lastVersion = version
        lastSecond = second
        lastFilter = state.filter
        send(.snapshot(monitor.snapshot(filter: state.filter)))
    }

    private func refreshViewer(_ viewer: ViewerHooks) {
        let version = viewer.version()
        let tapCall = viewer.lastTapCall()
        let mode = viewer.mode()
        if version != lastViewerVersion || tapCall != lastTapCall || mode != lastMode {
            lastViewerVersion = version
            lastTapCall = tapCall
            lastMode = mode
            send(.sources(viewer.sources(), lastTapCall: tapCall, mode: mode))
        }
        guard let moment = state.replay?.moment else {
            if lastReplay != nil { viewer.returnedLive() }
            lastReplay = nil
            return
        }
        let history = viewer.historyVersion()
        if let lastReplay, lastReplay.moment == moment, lastReplay.filter == state.filter, lastReplay.version == history { return }
        lastReplay = (moment, state.filter, history)
        send(.replayed(viewer.replay(moment, state.filter), asked: moment))
    }

    private func drawIfDue() {
        guard let frame = pending else { return }
        let now = drawClock.instant()
        if let lastDraw, now - lastDraw < Self.minimumDrawInterval { return }
        terminal.draw(frame, cursor: DashboardView.cursor(state))
        draws += 1
        onScreen = frame
        pending = nil
        lastDraw = now
    }

    /// Until the next draw is allowed (if one waits), else until the clock's next second.
    private func waitTime() -> Duration {
        if pending != nil, let lastDraw {
            return max(.milliseconds(1), Self.minimumDrawInterval - (drawClock.instant() - lastDraw))
        }
        let now = clock.now().timeIntervalSince1970
        let toNextSecond = (now.rounded(.down) + 1 - now)
        return .milliseconds(max(10, min(1_000, Int(toNextSecond * 1_000) + 5)))
    }
}
