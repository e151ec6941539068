import Hummingbird
import Logging
import ServiceLifecycle
import Supervision
import Testing
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Starting a server: its port, or why it could not start")
struct ServerStartupTests {
    let logger = Logger(label: "test.startup")

    /// `body`, or a failure once `limit` passes: a start that hangs must fail the test, not hang it.
    func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw Deadline()
            }
            return value
        }
    }

    struct Deadline: Error {}

    @Test("a taken port throws a one-line error naming the address, instead of waiting forever")
    func takenPort() async throws {
        try await withRefusingPort { port in
            let address = "127.0.0.1:\(port)"
            let outcome: Result<Int, StartupError> = try await within(.seconds(20)) { [logger] in
                do throws(StartupError) {
                    let server = try await ServerStartup.start(address: address, logger: logger) { onRunning in
                        Application(router: Router(), configuration: .init(address: .hostname("127.0.0.1", port: port)),
                                    onServerRunning: onRunning, logger: logger)
                    }
                    await server.stop()
                    return .success(server.port)
                } catch {
                    return .failure(error)
                }
            }
            guard case .failure(let error) = outcome else {
                Issue.record("started on a port another socket holds: \(outcome)")
                return
            }
            #expect(error.description == "cannot listen on \(address): Address already in use")
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("a free port: the bound port comes back, the server accepts connections, a graceful shutdown ends it")
    func freePort() async throws {
        let server = try await within(.seconds(20)) { [logger] in
            try await ServerStartup.start(address: "127.0.0.1:0", logger: logger) { onRunning in
                Application(router: Router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                            onServerRunning: onRunning, logger: logger)
            }
        }
        #expect(server.port > 0)
        #expect(Self.connects(port: server.port))
        let group = ServiceGroup(configuration: .init(services: [server], logger: logger))
        try await within(.seconds(20)) {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
        #expect(!Self.connects(port: server.port))
    }

    /// Whether a TCP connection to the loopback port is accepted.
    static func connects(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
