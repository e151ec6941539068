import ManagementAPI

/// What `update` asks the run loop to do, as values: the loop owns the terminal, so only it
/// copies to the clipboard, repaints or applies a theme; `update` stays pure.
public enum Effect: Sendable, Equatable {
    /// `y`: copy this call as a curl command (OSC 52); the loop says what the copy holds
    /// with `.copied`.
    case copyAsCurl(CallRecord)
    /// Ctrl-L: forget what the terminal shows and draw everything again.
    case repaintAll
    /// `T`: load and apply this theme; one that fails comes back as `.themeFailed`.
    case applyTheme(String)
}

/// The state after a message, and the effects it asks for.
public struct Updated: Sendable {
    public var state: State
    public var effects: [Effect]
}
