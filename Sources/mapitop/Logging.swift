import Foundation
import Logging

/// The executable's logging: to a file, never to the terminal (curses owns it, and
/// `snapshot` output is read by monitoring systems).
enum Logging {
    /// `$XDG_STATE_HOME/mapitop/mapitop.log`, else `~/.local/state/mapitop/mapitop.log`.
    static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.local/state")
        return base + "/mapitop/mapitop.log"
    }

    /// A logger writing to `file`, or one that discards everything when `file` is nil.
    static func logger(file: String?, label: String, level: Logger.Level = .info) throws -> Logger {
        guard let file else { return Logger(label: label, factory: { _ in SwiftLogNoOpLogHandler() }) }
        let handle = try FileLogHandler.Sink.open(path: file)
        var logger = Logger(label: label, factory: { label in FileLogHandler(label: label, sink: handle) })
        logger.logLevel = level
        return logger
    }
}

/// One line per event, appended to a file: `2026-11-24T14:03:27Z info label: message key=value`.
struct FileLogHandler: LogHandler {
    final class Sink: @unchecked Sendable {
        private let handle: FileHandle
        private let lock = NSLock()

        init(handle: FileHandle) { self.handle = handle }

        static func open(path: String) throws -> Sink {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            if !FileManager.default.fileExists(atPath: path) {
                _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            }
            guard let handle = FileHandle(forWritingAtPath: path) else {
                throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
            }
            handle.seekToEndOfFile()
            return Sink(handle: handle)
        }

        func write(_ line: String) {
            lock.lock()
            defer { lock.unlock() }
            handle.write(Data(line.utf8))
        }
    }

    let label: String
    let sink: Sink
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let pairs = all.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        sink.write("\(Date().formatted(.iso8601)) \(event.level) \(label): \(event.message)\(pairs)\n")
    }
}
