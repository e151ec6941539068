import Foundation

/// Why a journal could not be opened or written. Every case names the path, so the command
/// layer can print one line and choose an exit status without knowing SQLite.
public enum JournalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is not a mapitop journal: not SQLite at all, or someone else's SQLite file.
    case notAJournal(path: String, reason: String)
    /// The file looks like SQLite but is damaged (corrupt, truncated) or of a newer schema.
    case unreadable(path: String, reason: String)
    /// Another writer holds the journal's lock file; `pid` is what that file says, if legible.
    case lockedByAnotherWriter(path: String, pid: Int32?)
    /// The file, its folder or its lock file could not be created, opened or read for a
    /// reason that may pass: a full disk, an I/O error, permissions, a busy file.
    case cannotOpen(path: String, reason: String)

    public var description: String {
        switch self {
        case .notAJournal(let path, let reason):
            "\(path) is not a mapitop journal (\(reason)); move it away or choose another --journal"
        case .unreadable(let path, let reason):
            "cannot read the journal \(path): \(reason)"
        case .lockedByAnotherWriter(let path, let pid):
            "the journal \(path) is already being written by "
                + (pid.map { "pid \($0)" } ?? "another process (pid unknown)")
        case .cannotOpen(let path, let reason):
            "cannot open the journal \(path): \(reason)"
        }
    }

    /// sysexits(3) status: a file that is not ours or is damaged is a configuration error
    /// (EX_CONFIG, 78: restarting will not help), a busy journal is temporary (EX_TEMPFAIL,
    /// 75), anything else is I/O (EX_IOERR, 74: the service manager may restart it).
    public var exitCode: Int32 {
        switch self {
        case .notAJournal, .unreadable: 78
        case .lockedByAnotherWriter: 75
        case .cannotOpen: 74
        }
    }
}
