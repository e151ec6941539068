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
        let text = Self.escaped("\(event.message)\(pairs)")
        file.write("\(LogFile.timestamp()) \(event.level) \(label): \(text)\n")
    }

    /// `text` with every character that could forge a line or drive a terminal made visible.
    /// Messages and metadata carry text from the network; the log is read with `tail -f`
    /// and `less`. So one event stays one line (`\n`, `\r`, NEL, U+2028), no escape sequence
    /// reaches a terminal (ESC, the C1 CSI, BEL, DEL) and no bidi control reorders what is
    /// shown (U+202E makes `exe.txt` read as `txt.exe`).
    static func escaped(_ text: String) -> String {
        // Most lines hold none: keep them as they are without building a copy.
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                out.append(scalar)
                continue
            }
            let visible: String
            switch scalar.value {
            case 0x09: visible = "\\t"
            case 0x0A: visible = "\\n"
            case 0x0D: visible = "\\r"
            case 0x1B: visible = "\\e"
            case 0..<0x80: visible = "\\x" + hex(scalar.value, width: 2)
            default: visible = "\\u{" + hex(scalar.value, width: 1).uppercased() + "}"
            }
            out.append(contentsOf: visible.unicodeScalars)
        }
        return String(out)
    }

    /// C0, DEL and C1 (category Cc); format characters (Cf: the bidi embeddings, overrides,
    /// isolates and marks, and invisible ones like U+200B); line and paragraph separators.
    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
