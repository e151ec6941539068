import Foundation

/// `$XDG_STATE_HOME/mapitop`, else `~/.local/state/mapitop` (the XDG default): where the
/// journal, the log and, without a runtime folder, the runtime file live.
public enum StateFolder {
    public static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.local/state")
        return base + "/mapitop"
    }

    /// `$XDG_STATE_HOME/mapitop/journal.sqlite`, else `~/.local/state/mapitop/journal.sqlite`.
    public static func defaultJournalPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        path(environment: environment) + "/journal.sqlite"
    }
}
