import Foundation

/// Where a running recorder can be found: `$XDG_RUNTIME_DIR/mapitop/recorder.json`, or the
/// state folder when there is no runtime folder (cron, some containers). Mode 0600: it names
/// the admin port, and only its owner's viewers should attach by default.
///
/// One file per journal: the default journal's recorder (the one viewers look for) writes
/// `recorder.json`; a recorder on any other journal writes `recorder-<hash of its path>.json`,
/// so a second recorder on a journal of its own never hides the first from its viewers.
public struct RuntimeFile: Sendable, Equatable, Codable {
    public let pid: Int32
    /// `host:port` of the admin server.
    public let admin: String
    public let journal: String
    public let config: String?
    /// True when a window (`mapitop watch`) records while it is open: when it quits, another
    /// window may take the journal over. Absent for `mapitop record`, which a window must
    /// never race (systemd restarts it).
    public let window: Bool?
    /// `host:port` of its tap and of the tap's TLS listener, for `mapitop env`; absent
    /// without them.
    public var tap: String?
    public var tapTLS: String?
    /// The folder of the tap's authority, so `mapitop env` names the one it uses.
    public var authority: String?

    public init(pid: Int32 = getpid(), admin: String, journal: String, config: String?, window: Bool? = nil,
                tap: String? = nil, tapTLS: String? = nil, authority: String? = nil) {
        self.tap = tap
        self.tapTLS = tapTLS
        self.authority = authority
        self.pid = pid
        self.admin = admin
        self.journal = journal
        self.config = config
        self.window = window
    }

    /// The file of the recorder on `journal` (nil: the default journal): in the runtime folder,
    /// else the state folder.
    public static func path(journal: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let folder: String
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            folder = runtime + "/mapitop"
        } else {
            folder = StateFolder.path(environment: environment)
        }
        return folder + "/" + name(journal: journal, environment: environment)
    }

    static func name(journal: String?, environment: [String: String]) -> String {
        guard let journal else { return "recorder.json" }
        let standard = AbsolutePath.of(journal)
        if standard == AbsolutePath.of(StateFolder.defaultJournalPath(environment: environment)) {
            return "recorder.json"
        }
        return "recorder-" + String(fnv1a(standard), radix: 16) + ".json"
    }

    /// FNV-1a, 64 bits: stable across runs and machines (Swift's own hashes are seeded per
    /// process), and a name only needs to differ between a user's few journals.
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    /// Writes the file atomically (a viewer never reads half of it), 0600 from the start.
    public func write(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let path = Self.path(journal: journal, environment: environment)
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

    /// Removes the file of the recorder on `journal` on a clean exit, only if it is still ours
    /// (a newer recorder on the same journal may have replaced it).
    public static func remove(
        journal: String? = nil, pid: Int32 = getpid(), environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        let path = path(journal: journal, environment: environment)
        guard let current = decode(path), current.pid == pid else { return }
        unlink(path)
    }

    /// The live recorder on `journal` (nil: the default journal), or nil when the file is
    /// absent, unreadable, or its pid is gone.
    public static func read(journal: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) -> RuntimeFile? {
        guard let file = decode(path(journal: journal, environment: environment)), isAlive(file.pid) else { return nil }
        return file
    }

    /// Every live recorder of this user, whatever its journal: the runtime files beside the
    /// default one whose pid lives, in the order of their names.
    public static func all(environment: [String: String] = ProcessInfo.processInfo.environment) -> [RuntimeFile] {
        let folder = (path(environment: environment) as NSString).deletingLastPathComponent
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasPrefix("recorder") && $0.hasSuffix(".json") }.sorted()
        return names.compactMap { decode(folder + "/" + $0) }.filter { isAlive($0.pid) }
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
