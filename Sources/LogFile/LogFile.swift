import Foundation
import Synchronization
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An append-only log file that never takes its process down.
///
/// Why not `FileHandle.write`: it traps on a full disk or an I/O error, on whatever thread
/// logged, and a trap while curses owns the terminal leaves it raw. Here a write that fails
/// is counted and dropped; the next one that succeeds says how many were lost.
///
/// - Opened with O_APPEND, so several processes (two dashboards) never overwrite each
///   other's lines, and created 0600: log lines name tokens and paths.
/// - Reopened when the path no longer names the open file (logrotate moved it away) and on
///   `reopen()`, which a headless command calls on SIGHUP.
/// - Rotated to `<path>.1` once it grows past `maxBytes`, so a dashboard left open for
///   weeks cannot fill the disk. The size is read from the open file before each decision,
///   never tallied: logrotate's `copytruncate` and a second dashboard change it behind our back.
/// - A rotation that fails (say `<path>.1` is a directory) loses no line: the line is already
///   written. It is counted apart, noted in the log, and tried again only after another
///   `maxBytes` (or at `reopen()`), not on every line.
public final class LogFile: Sendable {
    public let path: String
    public let maxBytes: Int64

    /// Loggers write from any thread: everything that changes is behind this one lock.
    private let state: Mutex<State>

    /// Opens (creating it and its folder) `path` for appending. Throws only here, so a bad
    /// path is an error at start, never a crash later.
    public init(path: String, maxBytes: Int64 = 8 << 20) throws {
        self.path = path
        self.maxBytes = maxBytes
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
        var state = State(path: path, maxBytes: maxBytes)
        try state.open()
        self.state = Mutex(state)
    }

    deinit { state.withLock { try? $0.descriptor?.close() } }

    /// How many lines could not be written since the file was opened.
    public var failedWrites: Int { state.withLock { $0.failed } }

    /// How many times the file reached its cap and could not be rotated. Those lines were
    /// written; the file is just larger than `maxBytes` until a rotation succeeds.
    public var failedRotations: Int { state.withLock { $0.failedRotation } }

    /// Appends `line` as it is (the caller ends it with a newline). Never throws, never traps.
    public func write(_ line: String) {
        state.withLock { state in
            do {
                try state.reopenIfMoved()
                if state.lostSinceLastWrite > 0 {
                    try state.append("\(Self.timestamp()) warning mapitop.log: \(state.lostSinceLastWrite) log lines could not be written\n")
                    state.lostSinceLastWrite = 0
                }
                try state.append(line)
            } catch {
                state.failed += 1
                state.lostSinceLastWrite += 1
                return
            }
            // Outside the `do`: the line is in the file, whatever happens to the rotation.
            state.rotateIfFull()
        }
    }

    /// Closes the file and opens the path again: after logrotate renamed it, the next lines
    /// go to a new file. Failing to reopen is counted like a failed write.
    public func reopen() {
        state.withLock { state in
            do { try state.open() } catch {
                state.descriptor = nil
                state.failed += 1
            }
        }
    }

    static func timestamp() -> String { Date().formatted(.iso8601) }
}

/// The open file and what has gone wrong with it, changed only under `LogFile`'s lock.
private struct State {
    let path: String
    let maxBytes: Int64
    var descriptor: FileDescriptor?
    /// The size at which the next rotation is tried: `maxBytes`, or further on after one failed.
    var rotateAt: Int64
    var failed = 0
    var failedRotation = 0
    var lostSinceLastWrite = 0

    init(path: String, maxBytes: Int64) {
        self.path = path
        self.maxBytes = maxBytes
        rotateAt = maxBytes
    }

    mutating func open() throws {
        if let descriptor { try? descriptor.close() }
        descriptor = nil
        let opened = try FileDescriptor.open(
            FilePath(path), .writeOnly, options: [.append, .create, .closeOnExec], permissions: .ownerReadWrite)
        var status = stat()
        if fstat(opened.rawValue, &status) == 0, Self.isRegular(status) {
            // A file that another tool created readable by others is narrowed to 0600.
            if status.st_mode & 0o077 != 0 { _ = fchmod(opened.rawValue, 0o600) }
        }
        descriptor = opened
        // A new file, or one the operator asked us to reopen: any postponed rotation is tried at once.
        rotateAt = maxBytes
    }

    mutating func append(_ text: String) throws {
        guard let descriptor else { throw Errno.badFileDescriptor }
        _ = try descriptor.writeAll(text.utf8)
    }

    /// The open file's size now, or nil for a device such as /dev/null (never rotated).
    mutating func currentSize() -> Int64? {
        guard let descriptor else { return nil }
        var status = stat()
        guard fstat(descriptor.rawValue, &status) == 0, Self.isRegular(status) else { return nil }
        return Int64(status.st_size)
    }

    /// Rotates once the file, as it is on disk, has reached the cap. Reads the size instead of
    /// counting our own bytes: after a `copytruncate` a tally would rotate far too early (and
    /// move logrotate's fresh file over `.1`), and it would miss another writer's lines.
    mutating func rotateIfFull() {
        guard let size = currentSize() else { return }
        // Truncated from outside below the cap: a retry postponed for the old size no longer applies.
        if size < maxBytes { rotateAt = maxBytes }
        guard size >= rotateAt else { return }
        do {
            try rotate()
        } catch {
            failedRotation += 1
            // One note per failed try, so whoever reads the log learns why it outgrew its cap;
            // if even this cannot be written, the next line's own write will tell.
            try? append("\(LogFile.timestamp()) warning mapitop.log: could not rotate to \(path).1 (\(error)); trying again after another \(maxBytes) bytes\n")
            // Trying again on every line would cost a rename per line and a note per line.
            rotateAt = (currentSize() ?? size) + maxBytes
        }
    }

    /// Reopens when the path is gone or names another file than the one open.
    mutating func reopenIfMoved() throws {
        guard let descriptor else { return try open() }
        var open = stat()
        var named = stat()
        guard fstat(descriptor.rawValue, &open) == 0, Self.isRegular(open) else { return }
        if stat(path, &named) != 0 || named.st_ino != open.st_ino || named.st_dev != open.st_dev {
            try self.open()
        }
    }

    /// `<path>` becomes `<path>.1` (replacing an older one) and a new `<path>` starts. Only
    /// regular files rotate: never rename a device such as /dev/null.
    mutating func rotate() throws {
        guard let descriptor else { return }
        var open = stat()
        var named = stat()
        guard fstat(descriptor.rawValue, &open) == 0, Self.isRegular(open) else { return }
        // Another writer may have rotated a moment ago: our descriptor then names `.1`, and
        // renaming `<path>` would move their new, near-empty file over it. Follow them instead.
        if stat(path, &named) != 0 || named.st_ino != open.st_ino || named.st_dev != open.st_dev {
            return try self.open()
        }
        if rename(path, path + ".1") != 0 { throw Errno(rawValue: errno) }
        try self.open()
    }

    static func isRegular(_ status: stat) -> Bool { status.st_mode & S_IFMT == S_IFREG }

}

extension LogFile {
    /// Reopens the file whenever `signalNumber` arrives (SIGHUP, as logrotate sends), for
    /// headless commands. Keep the returned source alive as long as the file is used.
    /// Not for the dashboard: there SIGHUP means the terminal hung up, and it quits.
    public func reopen(on signalNumber: Int32) -> any DispatchSourceSignal {
        signal(signalNumber, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
        source.setEventHandler { [weak self] in self?.reopen() }
        source.resume()
        return source
    }
}
