import Foundation
import Logging
import ServiceLifecycle
import Supervision
import Testing

@Suite("Background services: a failure is kept for the foreground loop")
struct BackgroundServicesTests {
    let logger = Logger(label: "test.background")

    /// Runs until shutdown, and says whether it saw a graceful one.
    final class Healthy: Service, @unchecked Sendable {
        private let lock = NSLock()
        private var shutDown = false
        var sawShutdown: Bool { lock.withLock { shutDown } }

        func run() async throws {
            try? await gracefulShutdown()
            lock.withLock { shutDown = true }
        }
    }

    /// Fails once `trigger` yields: a collector that dies after a while.
    struct FailsLater: Service {
        struct Died: Error, CustomStringConvertible { var description: String { "connection reset" } }
        let trigger: AsyncStream<Void>
        func run() async throws {
            for await _ in trigger { throw Died() }
        }
    }

    @Test("a collector that dies while the loop runs: the loop sees why, the rest stop, shutdown hands it back")
    func failureWhileRunning() async throws {
        let healthy = Healthy()
        let (trigger, fire) = AsyncStream.makeStream(of: Void.self)
        let services = BackgroundServices(
            [SupervisedService("the probes", healthy), SupervisedService("the tap on 127.0.0.1:8787", FailsLater(trigger: trigger))],
            logger: logger)
        #expect(services.failure == nil)
        fire.yield()
        // The loop polls between keys; here, polling with a deadline.
        let deadline = ContinuousClock.now + .seconds(60)
        while services.failure == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(services.failure == "the tap on 127.0.0.1:8787 failed: connection reset")
        #expect(await services.shutdown() == "the tap on 127.0.0.1:8787 failed: connection reset")
    }

    @Test("a shutdown with everything healthy is no failure, and every service saw it")
    func cleanShutdown() async {
        let first = Healthy()
        let second = Healthy()
        let services = BackgroundServices([SupervisedService("the probes", first), SupervisedService("the tap", second)],
                                          logger: logger)
        #expect(await services.shutdown() == nil)
        #expect(first.sawShutdown && second.sawShutdown)
    }
}
