import Synchronization

/// A gate that server handlers wait on until the test opens it: a slow server whose answer
/// comes exactly when the test says, instead of after a fixed sleep that may or may not be
/// long enough on a loaded machine.
public final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    public init() {}

    public var isOpen: Bool { state.withLock { $0.open } }

    /// Returns once the gate is open (at once if it already is).
    public func wait() async {
        await withCheckedContinuation { continuation in
            let openAlready = state.withLock { state in
                if !state.open { state.waiters.append(continuation) }
                return state.open
            }
            if openAlready { continuation.resume() }
        }
    }

    /// Opens the gate for every waiter, now and later. Opening twice is harmless.
    public func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
