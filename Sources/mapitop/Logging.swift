import Foundation
import LogFile
import Logging
import Recorder
import Wire

/// The executable's logging: to a file, never to the terminal (curses owns it, and
/// `snapshot` output is read by monitoring systems). The file appends, rotates past its cap
/// and follows logrotate's renames; a line that cannot be written is counted, never fatal.
enum Logging {
    /// `$XDG_STATE_HOME/mapitop/mapitop.log`, else `~/.local/state/mapitop/mapitop.log`.
    static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        StateFolder.path(environment: environment) + "/mapitop.log"
    }

    /// A logger writing to `file`, or one that discards everything when `file` is nil.
    static func logger(file: String?, label: String, level: Logger.Level = .info) throws -> Logger {
        logger(writingTo: try file.map { try LogFile(path: $0) }, label: label, level: level)
    }

    static func logger(writingTo file: LogFile?, label: String, level: Logger.Level = .info) -> Logger {
        guard let file else { return Logger(label: label, factory: { _ in SwiftLogNoOpLogHandler() }) }
        var logger = Logger(label: label, factory: { label in LogFileHandler(label: label, file: file) })
        logger.logLevel = level
        return logger
    }
}
