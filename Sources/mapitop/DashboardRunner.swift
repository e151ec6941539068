import Dashboard
import Foundation
import Journal
import Logging
import ManagementAPI
import Monitor
import Screen
import ServiceLifecycle
import Supervision

#if canImport(Glibc)
    import Glibc
#endif

/// Puts the dashboard on the screen: curses on one thread of its own, the collectors as
/// services beside it; when the dashboard ends, the services are shut down, and a signal
/// that ended it becomes the exit status after the terminal is restored. A collector that
/// fails ends the dashboard too, and after the terminal is restored it is one line on
/// stderr and exit 1: a screen that says "live" over a dead collector would lie.
enum DashboardRunner {
    /// `journal`: where `y` finds a call's request body (the embedded recorder's reader).
    /// `viewer`: the recorders behind `monitor` and their past; `at`: start there.
    static func run(session: SessionInfo, monitor: Monitor, theme initialTheme: Theme, display: DisplayOptions,
                    services: [any Service], journal: JournalReader? = nil, viewer: ViewerHooks? = nil, at: Date? = nil,
                    logger: Logger) async throws
    {
        let inTmux = !(ProcessInfo.processInfo.environment["TMUX"] ?? "").isEmpty
        var lookUp: (@Sendable (CallRecord) -> CurlCopy.Journaled?)?
        if let journal {
            lookUp = { record in
                // A journal that cannot be read costs the copy its body, not the copy.
                guard let parts = try? journal.replayParts(of: record) else { return nil }
                return CurlCopy.Journaled(body: parts.body.map { [UInt8]($0.bytes) }, query: parts.query)
            }
        }
        let copy = CurlCopy(apiBase: session.apiBase, inTmux: inTmux, journaled: lookUp)
        let environment = ProcessInfo.processInfo.environment
        let filter = try display.presetFilter()
        let themes = ThemeLocator.available(environment: environment)
        let monochrome = display.noColor || TerminalCapabilities.noColorRequested(environment: environment)
        let ascii = display.ascii || !TerminalCapabilities.isUTF8()
        TerminalSignals.shared.install()

        let collectors = BackgroundServices(services, logger: logger)
        let signal: Int32? = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                // This thread owns curses; it must see SIGWINCH, whatever mask it inherited.
                var set = sigset_t()
                sigemptyset(&set)
                sigaddset(&set, SIGWINCH)
                pthread_sigmask(SIG_UNBLOCK, &set, nil)
                let terminal = NcursesTerminal(options: .init(theme: initialTheme, monochrome: monochrome, inTmux: inTmux))
                var state = State(session: session, size: terminal.size, now: Date(), themes: themes,
                                  themeIndex: themes.firstIndex(of: initialTheme.name) ?? 0,
                                  glyphs: ascii ? .ascii : .unicode, monochrome: monochrome, filter: filter)
                // --at now, or later, is live.
                state.replay = at.flatMap { $0 < Date() ? ReplayState(moment: $0) : nil }
                if !themes.contains(initialTheme.name) {
                    state.themes.insert(initialTheme.name, at: 0)
                    state.themeIndex = 0
                }
                let loop = DashboardLoop(
                    terminal: terminal, monitor: monitor, clock: SystemClock(), state: state,
                    // A theme that fails here keeps the current one and says why on screen:
                    // exiting from this thread would leave the terminal raw. The starting
                    // theme is already loaded (it may have come from a path, not a name).
                    loadTheme: { name in
                        name == initialTheme.name ? initialTheme : try ThemeLoader.load(name, environment: environment)
                    },
                    stopSignal: { TerminalSignals.shared.pending },
                    stopRequested: { collectors.failure != nil },
                    copyCommand: copy.command(for:), viewer: viewer)
                let stoppedBy = loop.run()
                terminal.end()
                continuation.resume(returning: stoppedBy)
            }
        }
        if let message = await collectors.shutdown() {
            logger.error("stopping: \(message)")
            StandardError.line("mapitop: " + message)
            throw ExitCodeError(code: 1)
        }
        if let signal { throw ExitCodeError(code: 128 + signal) }
    }

    /// The theme to start with. Loaded before anything starts: a broken one ends the command
    /// with exit 78 before a recorder has published its runtime file or taken its journal.
    static func loadTheme(_ name: String, environment: [String: String]) throws -> Theme {
        do {
            return try ThemeLoader.load(name, environment: environment)
        } catch {
            throw CommandFailure(error.description, exitCode: ExitCodes.config)
        }
    }
}

/// An exit status to leave with after cleanup (ArgumentParser's ExitCode, by another name
/// so it can cross the concurrency boundary as a plain error).
struct ExitCodeError: Error {
    let code: Int32
}

/// A failure that ends the command with one line on stderr and `exitCode`, thrown instead of
/// exiting where it happens, so what was started is stopped and released first.
struct CommandFailure: Error {
    let message: String
    let exitCode: Int32

    init(_ message: String, exitCode: Int32) {
        self.message = message
        self.exitCode = exitCode
    }
}
