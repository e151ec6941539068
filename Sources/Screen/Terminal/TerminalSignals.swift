import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// SIGINT, SIGTERM and SIGHUP become a flag the run loop polls between keys, so the
/// terminal is restored by the normal exit path (`endwin`) instead of being left raw.
public final class TerminalSignals: Sendable {
    public static let shared = TerminalSignals()

    private let received = Atomic<Int32>(0)
    private let sources = Mutex<[DispatchSourceSignal]>([])

    private init() {}

    /// The signal that asked to stop, or nil.
    public var pending: Int32? {
        let value = received.load(ordering: .relaxed)
        return value == 0 ? nil : value
    }

    /// Starts catching the signals (idempotent).
    public func install() {
        sources.withLock { sources in
            guard sources.isEmpty else { return }
            for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler { self.received.store(signalNumber, ordering: .relaxed) }
                source.resume()
                sources.append(source)
            }
        }
    }
}
