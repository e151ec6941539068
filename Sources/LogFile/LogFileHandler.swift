import Foundation
import Logging

/// One line per event, appended to a `LogFile`:
/// `2026-11-24T14:03:27Z info label: message key=value`.
public struct LogFileHandler: LogHandler {
    public let label: String
    public let file: LogFile
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info

    public init(label: String, file: LogFile) {
        self.label = label
        self.file = file
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let pairs = all.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        // One event, one line: a message that holds a newline must not forge a second entry.
        let text = "\(event.message)\(pairs)".replacingOccurrences(of: "\n", with: "\\n")
        file.write("\(LogFile.timestamp()) \(event.level) \(label): \(text)\n")
    }
}
