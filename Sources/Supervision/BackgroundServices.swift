import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Services that run in a group of their own beside a foreground loop (the dashboard, on
/// a thread of its own). The first error the group ends with is kept, so the loop can poll
/// it between keys and stop, and `shutdown()` hands it back once the terminal is restored.
/// Why: a failure that only ends the group, while the screen goes on saying "live", is a
/// silent one.
public final class BackgroundServices: Sendable {
    private let group: ServiceGroup
    private let task: Task<Void, Never>
    private let firstFailure: FirstFailure

    /// Starts `services` at once.
    public init(_ services: [any Service], logger: Logger) {
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, logger: logger))
        let firstFailure = FirstFailure()
        self.group = group
        self.firstFailure = firstFailure
        task = Task {
            do { try await group.run() } catch { firstFailure.record(error) }
        }
    }

    /// Why the services stopped on their own, or nil while they run (or ran to a shutdown).
    public var failure: String? { firstFailure.message }

    /// Shuts the services down gracefully, waits until they stopped, and returns the first
    /// failure, if one ended them.
    public func shutdown() async -> String? {
        await group.triggerGracefulShutdown()
        await task.value
        return firstFailure.message
    }
}

/// The first error only: what follows it is the group cancelling the rest.
private final class FirstFailure: Sendable {
    private let first = Mutex<String?>(nil)

    func record(_ error: any Error) {
        first.withLock { first in
            if first == nil { first = String(describing: error) }
        }
    }

    var message: String? { first.withLock { $0 } }
}
