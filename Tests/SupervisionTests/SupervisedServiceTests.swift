import Logging
import ServiceLifecycle
import Supervision
import Testing

@Suite("Supervised services never stop unnoticed")
struct SupervisedServiceTests {
    let logger = Logger(label: "test.supervised")

    struct Returns: Service {
        func run() async throws {}
    }

    struct Throws: Service {
        struct Broken: Error, CustomStringConvertible { var description: String { "upstream vanished" } }
        func run() async throws { throw Broken() }
    }

    /// Runs until its group shuts it down gracefully, as a healthy collector does.
    struct RunsUntilShutdown: Service {
        func run() async throws {
            try? await gracefulShutdown()
        }
    }

    func failure(of services: [any Service]) async -> String? {
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, logger: logger))
        do {
            try await group.run()
            return nil
        } catch {
            return String(describing: error)
        }
    }

    @Test("a service that returns before shutdown is a failure that names it")
    func endsEarly() async {
        let message = await failure(of: [SupervisedService("the probes", Returns()), SupervisedService("the tap", RunsUntilShutdown())])
        #expect(message == "the probes stopped unexpectedly")
    }

    @Test("a service that throws is a failure that names it and says why")
    func throwsError() async {
        let message = await failure(of: [SupervisedService("the tap on 127.0.0.1:8787", Throws())])
        #expect(message == "the tap on 127.0.0.1:8787 failed: upstream vanished")
    }

    @Test("a graceful shutdown is no failure")
    func shutdown() async throws {
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: SupervisedService("the tap", RunsUntilShutdown()))], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}
