import Foundation
import Monitor
import Screen

/// What can happen to the dashboard: the only inputs of `update`.
public enum Message: Sendable {
    case key(Key)
    /// The clock ticked (the header's time and every age move).
    case tick(Date)
    case snapshot(Snapshot)
    case resize(TerminalSize)
    /// A signal asked to stop (SIGINT, SIGTERM, SIGHUP).
    case stop
    /// The theme `name` could not be loaded; `current` is the one still on screen (nil when
    /// none was applied yet). The screen keeps it and the status line says why.
    case themeFailed(name: String, reason: String, current: String?)
    /// The run loop put the call `y` asked for on the clipboard; `note` says what it holds.
    case copied(note: String)
    /// The screen of the past moment `asked` (time travel).
    case replayed(Replay, asked: Date)
    /// The recorders followed, the newest call the embedded tap answered, and how the window
    /// gets its data now (nil: as it started).
    case sources([SourceLine], lastTapCall: Date?, mode: ViewerMode? = nil)
}
