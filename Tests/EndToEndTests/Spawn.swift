import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program with `posix_spawn`: no inherited descriptors past stderr (a tmux server
/// daemon must not hold the test runner's pipes open), an empty signal mask and default
/// signal actions (threads of Swift concurrency block most signals, and a child inherits
/// that mask: SIGWINCH and SIGTERM would never reach the program under test).
enum Spawn {
    struct Result {
        let status: Int32
        let output: String
    }

    /// Where a child's stdout and stderr go.
    private enum Output {
        case discarded
        /// Both into the write end of a pipe the parent reads.
        case pipe(Int32)
        /// Appended to files.
        case files(stdout: String, stderr: String)
    }

    /// Held from the moment a pipe is made until its child is spawned and the parent's copy of
    /// the write end is closed. A child spawned by another thread in between would inherit
    /// the write end (glibc's headers here hide `pipe2` and `closefrom`, so it cannot be made
    /// close-on-exec atomically) and hold the read open until it exits: a tmux server or a
    /// recorder lives for the whole run, and a test reading a short command's output then
    /// waited for the whole run.
    private static let spawning = Mutex(())

    @available(*, noasync, message: "blocks its thread until the child ends: use Spawn.detached")
    static func run(_ executable: String, _ arguments: [String], captureOutput: Bool = true,
                    environment: [String: String] = [:]) -> Result {
        var readEnd: Int32 = -1
        let pid = spawning.withLock { _ -> pid_t in
            guard captureOutput else { return start(executable, arguments, output: .discarded, environment: environment) }
            var ends: [Int32] = [-1, -1]
            guard pipe(&ends) == 0 else { return 0 }
            markDescriptorsCloseOnExec()
            let pid = start(executable, arguments, output: .pipe(ends[1]), environment: environment)
            close(ends[1])
            readEnd = ends[0]
            return pid
        }
        guard pid > 0 else {
            if readEnd >= 0 { close(readEnd) }
            return Result(status: -1, output: "spawn of \(executable) failed")
        }
        var output = [UInt8]()
        if readEnd >= 0 {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = read(readEnd, &buffer, buffer.count)
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                output.append(contentsOf: buffer[0..<count])
            }
            close(readEnd)
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        let exitCode = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Result(status: exitCode, output: String(decoding: output, as: UTF8.self))
    }

    /// Starts a program in the background with stdout and stderr appended to `outputFile`;
    /// returns its pid (0 when it could not start).
    static func launch(_ executable: String, _ arguments: [String], outputFile: String) -> pid_t {
        launch(executable, arguments, stdout: outputFile, stderr: outputFile, environment: [:])
    }

    /// Starts a program in the background with stdout and stderr appended to files of their
    /// own and the test's environment plus `environment`; returns its pid (0 when it could not
    /// start).
    static func launch(_ executable: String, _ arguments: [String], stdout: String, stderr: String,
                       environment: [String: String]) -> pid_t
    {
        spawning.withLock { _ in
            start(executable, arguments, output: .files(stdout: stdout, stderr: stderr), environment: environment)
        }
    }

    /// `run` on a thread of its own: waiting for a child must not hold one of the few
    /// threads of Swift concurrency, which an in-process server under test needs to answer.
    static func detached(_ executable: String, _ arguments: [String], captureOutput: Bool = true,
                         environment: [String: String] = [:]) async -> Result {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: run(executable, arguments, captureOutput: captureOutput, environment: environment))
            }
        }
    }

    /// Spawns the child (call it holding `spawning`): stdin from /dev/null, the output as
    /// asked, the test's environment plus `environment`, signals reset. Its pid, or 0.
    private static func start(_ executable: String, _ arguments: [String], output: Output, environment: [String: String]) -> pid_t {
        markDescriptorsCloseOnExec()
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        posix_spawn_file_actions_addopen(&fileActions, 0, "/dev/null", O_RDONLY, 0)
        switch output {
        case .discarded:
            posix_spawn_file_actions_addopen(&fileActions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&fileActions, 2, "/dev/null", O_WRONLY, 0)
        case .pipe(let writeEnd):
            // dup2 clears close-on-exec on the child's 1 and 2.
            posix_spawn_file_actions_adddup2(&fileActions, writeEnd, 1)
            posix_spawn_file_actions_adddup2(&fileActions, writeEnd, 2)
        case .files(let stdout, let stderr):
            posix_spawn_file_actions_addopen(&fileActions, 1, stdout, O_WRONLY | O_CREAT | O_APPEND, 0o600)
            if stderr == stdout {
                posix_spawn_file_actions_adddup2(&fileActions, 1, 2)
            } else {
                posix_spawn_file_actions_addopen(&fileActions, 2, stderr, O_WRONLY | O_CREAT | O_APPEND, 0o600)
            }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        resetSignals(&attributes)
        var pid: pid_t = 0
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { variables.forEach { free($0) } }
        return posix_spawnp(&pid, executable, &fileActions, &attributes, argv, variables) == 0 ? pid : 0
    }

    /// An empty signal mask and default signal actions for the child.
    private static func resetSignals(_ attributes: inout posix_spawnattr_t) {
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in 1..<32 where signal != SIGKILL && signal != SIGSTOP { sigaddset(&defaults, Int32(signal)) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    }

    /// Marks every descriptor above stderr close-on-exec, so spawned children (and the
    /// tmux server they start) inherit none of the test process's pipes or sockets.
    private static func markDescriptorsCloseOnExec() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for entry in entries {
            guard let fd = Int32(entry), fd > 2 else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }
}
