import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The signal that asked to stop, 0 for none. A global, so the handler below (a C function:
/// it can capture nothing) reaches it; storing into an atomic is safe in a signal handler.
private let stopSignal = Atomic<Int32>(0)

/// SIGINT, SIGTERM and SIGHUP become a flag the run loop polls between keys, so the
/// terminal is restored by the normal exit path (`endwin`) instead of being left raw.
///
/// A plain `sigaction` handler, as htop has. Dispatch signal sources (used before) ignore the
/// signal and wait for Dispatch to see it; now and then a SIGTERM sent to `screen-check` in the
/// end-to-end tests was never seen (once in eleven runs of the suite), and the program ran on.
public final class TerminalSignals: Sendable {
    public static let shared = TerminalSignals()

    private let installed = Mutex(false)

    private init() {}

    /// The signal that asked to stop, or nil.
    public var pending: Int32? {
        let value = stopSignal.load(ordering: .relaxed)
        return value == 0 ? nil : value
    }

    /// Starts catching the signals (idempotent).
    public func install() {
        installed.withLock { installed in
            guard !installed else { return }
            installed = true
            _ = stopSignal.load(ordering: .relaxed)  // initialised here, never inside the handler
            for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
                var action = sigaction()
                #if canImport(Glibc)
                    action.__sigaction_handler.sa_handler = { number in stopSignal.store(number, ordering: .relaxed) }
                #else
                    action.__sigaction_u.__sa_handler = { number in stopSignal.store(number, ordering: .relaxed) }
                #endif
                sigemptyset(&action.sa_mask)
                // Interrupted calls go on: the run loop looks at the flag between keys anyway.
                action.sa_flags = SA_RESTART
                sigaction(signalNumber, &action, nil)
            }
        }
    }
}
