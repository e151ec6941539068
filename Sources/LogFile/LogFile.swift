import Foundation
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
///   weeks cannot fill the disk.
public final class LogFile: @unchecked Sendable {
    public let path: String
    public let maxBytes: Int64

    // All state below is guarded by `lock`: loggers write from any thread.
    private let lock = NSLock()
    private var descriptor: FileDescriptor?
    private var size: Int64 = 0
    private var failed = 0
    private var lostSinceLastWrite = 0

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
        try open()
    }

    deinit { try? descriptor?.close() }

    /// How many lines could not be written since the file was opened.
    public var failedWrites: Int { lock.withLock { failed } }

    /// Appends `line` as it is (the caller ends it with a newline). Never throws, never traps.
    public func write(_ line: String) {
        lock.withLock {
            do {
                try reopenIfMoved()
                if lostSinceLastWrite > 0 {
                    try append("\(Self.timestamp()) warning mapitop.log: \(lostSinceLastWrite) log lines could not be written\n")
                    lostSinceLastWrite = 0
                }
                try append(line)
                if size >= maxBytes { try rotate() }
            } catch {
                failed += 1
                lostSinceLastWrite += 1
            }
        }
    }

    /// Closes the file and opens the path again: after logrotate renamed it, the next lines
    /// go to a new file. Failing to reopen is counted like a failed write.
    public func reopen() {
        lock.withLock {
            do { try open() } catch {
                descriptor = nil
                failed += 1
            }
        }
    }

    // MARK: - Under the lock

    private func open() throws {
        if let descriptor { try? descriptor.close() }
        descriptor = nil
        let opened = try FileDescriptor.open(
            FilePath(path), .writeOnly, options: [.append, .create, .closeOnExec], permissions: .ownerReadWrite)
        var status = stat()
        if fstat(opened.rawValue, &status) == 0, Self.isRegular(status) {
            // A file that another tool created readable by others is narrowed to 0600.
            if status.st_mode & 0o077 != 0 { _ = fchmod(opened.rawValue, 0o600) }
            size = Int64(status.st_size)
        } else {
            size = 0
        }
        descriptor = opened
    }

    private func append(_ text: String) throws {
        guard let descriptor else { throw Errno.badFileDescriptor }
        size += Int64(try descriptor.writeAll(text.utf8))
    }

    /// Reopens when the path is gone or names another file than the one open.
    private func reopenIfMoved() throws {
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
    private func rotate() throws {
        guard let descriptor else { return }
        var status = stat()
        guard fstat(descriptor.rawValue, &status) == 0, Self.isRegular(status) else { return }
        if rename(path, path + ".1") != 0 { throw Errno(rawValue: errno) }
        try open()
    }

    private static func isRegular(_ status: stat) -> Bool { status.st_mode & S_IFMT == S_IFREG }

    static func timestamp() -> String { Date().formatted(.iso8601) }
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
