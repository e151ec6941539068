import Foundation
import Synchronization

/// One tmux server per test (its own socket, no config file), driving one pane that runs
/// the real binary. Tests wait for what the screen shows, with deadlines, never sleeps.
final class Tmux: @unchecked Sendable {
    let directory: URL
    private var socket: String { directory.appendingPathComponent("sock").path }

    /// Starts `command` (a shell line) in a `width`×`height` window. The line should end
    /// with `; echo __EXIT=$?` so the exit status can be read off the screen.
    init(command: String, width: Int = 100, height: Int = 30, environment: [String: String] = [:]) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var arguments = ["-S", socket, "-f", "/dev/null", "new-session", "-d", "-s", "main", "-x", String(width), "-y", String(height)]
        // Its own runtime and state folders unless the test names others: a window that finds
        // no recorder runs one on the default journal, and must never find another test's.
        let isolated = ["LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "XDG_RUNTIME_DIR": directory.path + "/run", "XDG_STATE_HOME": directory.path + "/state"]
        for (name, value) in isolated.merging(environment, uniquingKeysWith: { $1 }) {
            arguments += ["-e", "\(name)=\(value)"]
        }
        arguments.append(command + "; sleep 600")
        // No output capture here: the server forks from this client and would hold the pipe.
        let started = await Spawn.detached("tmux", arguments, captureOutput: false)
        guard started.status == 0 else { throw TmuxError(message: "tmux new-session exited \(started.status)") }
        // Keep the window at the size the test asks for, whatever clients attach.
        await tmux(["set-option", "-t", "main", "window-size", "manual"])
    }

    struct TmuxError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// Runs the tmux client on a thread of its own (`Spawn.detached`): it blocks until tmux
    /// answers, and tests that poll the screen would otherwise hold Swift's cooperative
    /// threads, which every in-process server and `eventually` of the run needs.
    @discardableResult
    func tmux(_ arguments: [String]) async -> Spawn.Result {
        await Spawn.detached("tmux", ["-S", socket] + arguments)
    }

    private let screens = Mutex("")

    /// The screen the last `capture()` or `waitFor` read: for failure messages, which cannot wait.
    var lastScreen: String { screens.withLock { $0 } }

    /// The pane's text, one line per row.
    func capture() async -> String {
        let screen = await tmux(["capture-pane", "-p", "-t", "main"]).output
        screens.withLock { $0 = screen }
        return screen
    }

    /// A tmux format about the pane, e.g. `#{alternate_on}`.
    func display(_ format: String) async -> String {
        await tmux(["display-message", "-p", "-t", "main", format]).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The program the pane's shell runs (its first child), for figures read from /proc.
    func programPID() async -> pid_t? {
        let shell = await display("#{pane_pid}")
        for _ in 0..<3_000 {
            // The shell forks the program at once; a minute bounds a pane that never does.
            if let children = try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8),
               let first = children.split(separator: " ").first.flatMap({ pid_t($0) })
            {
                return first
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    func send(_ keys: String...) async { await tmux(["send-keys", "-t", "main"] + keys) }

    /// Types text literally.
    func type(_ text: String) async { await tmux(["send-keys", "-t", "main", "-l", text]) }

    func resize(width: Int, height: Int) async {
        await tmux(["resize-window", "-t", "main", "-x", String(width), "-y", String(height)])
    }

    /// Polls the screen until `condition` holds or the deadline passes; returns the last screen.
    /// The deadline only bounds a hang: a minute unless a test says otherwise.
    @discardableResult
    func waitFor(timeout: Duration = .seconds(60), _ condition: (String) -> Bool) async -> (met: Bool, screen: String) {
        let deadline = ContinuousClock.now + timeout
        var screen = await capture()
        while !condition(screen) {
            if ContinuousClock.now >= deadline { return (false, screen) }
            try? await Task.sleep(for: .milliseconds(50))
            screen = await capture()
        }
        return (true, screen)
    }

    func waitFor(_ text: String, timeout: Duration = .seconds(60)) async -> (met: Bool, screen: String) {
        await waitFor(timeout: timeout) { $0.contains(text) }
    }

    /// The status printed by `; echo __EXIT=$?`, once it shows.
    func exitStatus(timeout: Duration = .seconds(60)) async -> Int? {
        let (met, screen) = await waitFor(timeout: timeout) { $0.contains("__EXIT=") }
        guard met, let range = screen.range(of: "__EXIT=") else { return nil }
        return Int(screen[range.upperBound...].prefix { $0.isNumber })
    }

    /// Ends the tmux server (and the program in its pane) and removes its folder. Called from
    /// `defer` and `deinit`, which cannot wait; it blocks for the few milliseconds tmux takes,
    /// so that no server (a demo still making traffic) outlives its test, or the run.
    func stop() {
        _ = Spawn.run("tmux", ["-S", socket, "kill-server"])
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}

/// Where the binary under test is: beside the test bundle in the build folder, unless
/// `MAPITOP_BINARY` says otherwise.
enum Binary {
    static var path: String {
        if let path = ProcessInfo.processInfo.environment["MAPITOP_BINARY"] { return path }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" {
            let candidate = url.deletingLastPathComponent().appendingPathComponent("mapitop")
            if FileManager.default.isExecutableFile(atPath: candidate.path), !candidate.hasDirectoryPath { return candidate.path }
            url = url.deletingLastPathComponent()
        }
        return ".build/debug/mapitop"
    }

    /// Quotes a path for a shell line.
    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
