import Foundation

/// Where a running recorder can be found: `$XDG_RUNTIME_DIR/mapitop/recorder.json`, or the
/// state folder when there is no runtime folder (cron, some containers). Mode 0600: it names
/// the admin port, and only its owner's viewers should attach by default.
public struct RuntimeFile: Sendable, Equatable, Codable {
    public let pid: Int32
    /// `host:port` of the admin server.
    public let admin: String
    public let journal: String
    public let config: String?

    public init(pid: Int32 = getpid(), admin: String, journal: String, config: String?) {
        self.pid = pid
        self.admin = admin
        self.journal = journal
        self.config = config
    }

    /// The file's path for an environment: the runtime folder, else `$XDG_STATE_HOME`, else
    /// `~/.local/state` (the XDG default).
    public static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let folder: String
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            folder = runtime
        } else if let state = environment["XDG_STATE_HOME"], !state.isEmpty {
            folder = state
        } else {
            folder = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state"
        }
        return folder + "/mapitop/recorder.json"
    }

    /// Writes the file atomically (a viewer never reads half of it), 0600 from the start.
    public func write(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let path = Self.path(environment: environment)
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data = try encoder.encode(self)
        let temporary = path + ".\(pid).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
    }

    /// Removes the file on a clean exit, only if it is still ours (a newer recorder may
    /// have replaced it).
    public static func remove(pid: Int32 = getpid(), environment: [String: String] = ProcessInfo.processInfo.environment) {
        let path = path(environment: environment)
        guard let current = decode(path), current.pid == pid else { return }
        unlink(path)
    }

    /// The live recorder, or nil when the file is absent, unreadable, or its pid is gone.
    public static func read(environment: [String: String] = ProcessInfo.processInfo.environment) -> RuntimeFile? {
        guard let file = decode(path(environment: environment)), isAlive(file.pid) else { return nil }
        return file
    }

    /// kill(pid, 0) probes without signalling: EPERM means alive but another user's.
    static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    private static func decode(_ path: String) -> RuntimeFile? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(RuntimeFile.self, from: data)
    }
}
