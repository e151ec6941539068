import ServiceLifecycle

/// Does `action` once the service group it belongs to runs, then waits for the group's
/// graceful shutdown. A group traps its shutdown signals before it starts any service, so
/// what `action` announces (a recorder's runtime file) is announced only once a SIGTERM
/// would stop the process gracefully: announced earlier, a stop sent at once (systemd's,
/// a test's) killed it before its journal was flushed.
public struct WhenRunning: Service {
    private let action: @Sendable () -> Void

    public init(_ action: @escaping @Sendable () -> Void) { self.action = action }

    public func run() async throws {
        action()
        try? await gracefulShutdown()
    }
}
