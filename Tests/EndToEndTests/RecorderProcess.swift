import Foundation
import Recorder
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// A private home for recorders under test: its own runtime, state and config folders, so
/// nothing of the machine's user (a real journal, a real config, a live recorder) is read or
/// touched. Two recorders started on one home share its journal, as a restart does.
struct RecorderHome {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-record-\(UUID().uuidString)").path
        for folder in ["run", "state", "config"] {
            try FileManager.default.createDirectory(atPath: path + "/" + folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
    }

    /// What the recorder (and `mapitop info`) sees of XDG.
    var environment: [String: String] {
        ["XDG_RUNTIME_DIR": path + "/run", "XDG_STATE_HOME": path + "/state", "XDG_CONFIG_HOME": path + "/config"]
    }

    /// The default journal under this home: `$XDG_STATE_HOME/mapitop/journal.sqlite`.
    var journal: String { path + "/state/mapitop/journal.sqlite" }
    var runtimeFile: String { RuntimeFile.path(environment: environment) }

    /// Writes a file into the home (a config, a secret) and returns its path.
    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        guard FileManager.default.createFile(atPath: file, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
        return file
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: path) }
}

/// A real `mapitop record` process: spawned with an empty signal mask (so SIGTERM reaches it),
/// stdout and stderr in files of their own, its ports read from the runtime file it writes
/// once everything listens. A test that fails half-way leaves no process behind: the last
/// reference kills and reaps it.
final class RecorderProcess: @unchecked Sendable {
    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    let home: RecorderHome
    let pid: pid_t
    let arguments: [String]
    private let stdoutPath: String
    private let stderrPath: String
    private let lock = NSLock()
    private var exitStatus: Int32?
    /// Set once the runtime file names this pid.
    private(set) var adminPort = 0
    /// The tap's bound port, from the start line; nil without a tap.
    private(set) var tapPort: Int?

    /// Starts `mapitop record --admin 127.0.0.1:0 [--tap 127.0.0.1:0] [--config PATH] …` and
    /// waits until it listens (its runtime file names it). Throws with its output if it exits
    /// first or does not listen within `timeout`.
    static func start(home: RecorderHome, tap: Bool = false, config: String? = nil, arguments: [String] = [],
                      timeout: Duration = .seconds(60)) async throws -> RecorderProcess
    {
        let process = try launch(home: home, tap: tap, config: config, arguments: arguments)
        try await process.waitUntilListening(timeout: timeout)
        return process
    }

    /// Spawns the recorder without waiting: for a recorder that is expected to refuse to start.
    static func launch(home: RecorderHome, tap: Bool = false, config: String? = nil, arguments: [String] = []) throws -> RecorderProcess {
        var all = ["record", "--admin", "127.0.0.1:0"]
        if tap { all += ["--tap", "127.0.0.1:0"] }
        if let config { all += ["--config", config] }
        all += arguments
        let tag = UUID().uuidString.prefix(8)
        let stdoutPath = home.path + "/record-\(tag).stdout"
        let stderrPath = home.path + "/record-\(tag).stderr"
        let pid = Spawn.launch(Binary.path, all, stdout: stdoutPath, stderr: stderrPath, environment: home.environment)
        guard pid > 0 else { throw StartFailure(description: "could not spawn \(Binary.path)") }
        return RecorderProcess(home: home, pid: pid, arguments: all, stdoutPath: stdoutPath, stderrPath: stderrPath)
    }

    private init(home: RecorderHome, pid: pid_t, arguments: [String], stdoutPath: String, stderrPath: String) {
        self.home = home
        self.pid = pid
        self.arguments = arguments
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
    }

    deinit {
        if reap(block: false) == nil {
            kill(pid, SIGKILL)
            _ = reap(block: true)
        }
    }

    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }
    var adminBase: String { "http://127.0.0.1:\(adminPort)" }
    var tapBase: String? { tapPort.map { "http://127.0.0.1:\($0)" } }

    /// The `--journal` this recorder was given, whose runtime file it writes; nil for the default.
    var journalArgument: String? {
        arguments.firstIndex(of: "--journal").flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
    }

    /// Waits until the runtime file names this pid (written after every server listens).
    func waitUntilListening(timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let file = RuntimeFile.read(journal: journalArgument, environment: home.environment), file.pid == pid,
               let port = file.admin.split(separator: ":").last.flatMap({ Int($0) })
            {
                adminPort = port
                tapPort = Self.port(after: "· tap http://127.0.0.1:", in: stdout)
                if arguments.contains("--tap"), tapPort == nil {
                    throw StartFailure(description: "listening, but the start line names no tap: \(stdout)")
                }
                return
            }
            if let status = reap(block: false) {
                throw StartFailure(description: "mapitop record exited \(status) before listening; stderr: \(stderr) stdout: \(stdout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw StartFailure(description: "mapitop record did not listen within \(timeout); stderr: \(stderr) stdout: \(stdout)")
    }

    /// SIGTERM, then waits for the exit; the exit status (128 + signal when killed by one),
    /// or nil if it is still running at the deadline.
    @discardableResult
    func terminate(timeout: Duration = .seconds(30)) async -> Int32? {
        signal(SIGTERM)
        return await waitForExit(timeout: timeout)
    }

    /// SIGKILL, as a crash or the OOM killer would: no flush, no clean-up. Returns once reaped.
    @discardableResult
    func kill9(timeout: Duration = .seconds(30)) async -> Int32? {
        signal(SIGKILL)
        return await waitForExit(timeout: timeout)
    }

    /// Sends a signal unless the process has already been reaped (its pid may be reused).
    func signal(_ number: Int32) {
        if reap(block: false) == nil { kill(pid, number) }
    }

    /// The exit status once it has exited, or nil at the deadline.
    func waitForExit(timeout: Duration = .seconds(60)) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = reap(block: false) { return status }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return reap(block: false)
    }

    var hasExited: Bool { reap(block: false) != nil }

    /// Reaps the child once and remembers its status; later calls return the same status.
    private func reap(block: Bool) -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(pid, &status, block ? 0 : WNOHANG) } while result == -1 && errno == EINTR
        guard result == pid else { return nil }
        let code = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        exitStatus = code
        return code
    }

    static func port(after marker: String, in text: String) -> Int? {
        guard let range = text.range(of: marker) else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }
}
