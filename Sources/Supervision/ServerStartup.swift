import Logging
import NIOCore
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starts a server (a Hummingbird application, the tap) and waits until it listens.
///
/// Why: a server that cannot bind (its port taken, an address not on this host) throws from
/// its `run`, and never calls `onServerRunning`. Code that waits only for that callback waits
/// forever, and code that runs the app in a group beside others loses the error. This races
/// the two: the bound port, or the error that stopped the start, whichever comes first.
public enum ServerStartup {
    /// `address` names the server in errors (e.g. `127.0.0.1:8787`); `build` makes the app
    /// and must pass the given callback as the app's `onServerRunning`.
    public static func start<App: Service>(
        address: String, logger: Logger,
        _ build: (_ onServerRunning: @escaping @Sendable (any Channel) async -> Void) -> App
    ) async throws(StartupError) -> StartedServer {
        let (events, continuation) = AsyncStream.makeStream(of: Event.self)
        let app = build { channel in
            continuation.yield(.listening(port: channel.localAddress?.port ?? 0))
        }
        // A group of its own, so a graceful shutdown drains the app's in-flight calls.
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task {
            do {
                try await group.run()
                continuation.yield(.ended(nil))
            } catch {
                continuation.yield(.ended(error))
                throw error
            }
        }
        let server = StartedServer(address: address, group: group, task: task)
        for await event in events {
            switch event {
            case .listening(let port):
                return server.listening(on: port)
            case .ended(let error):
                throw StartupError(address: address, cause: error)
            }
        }
        // The caller was cancelled while the app was starting.
        task.cancel()
        throw StartupError(address: address, cause: CancellationError())
    }

    enum Event: Sendable {
        case listening(port: Int)
        case ended((any Error)?)
    }
}

/// A server that listens, as a service: run it in a group to keep it up; a graceful shutdown
/// of the group shuts it down gracefully, and an error it dies of comes out of `run`.
public struct StartedServer: Service, CustomStringConvertible {
    /// The address it was asked for, as given to `ServerStartup.start`.
    public let address: String
    /// The port it listens on (the one the system chose when asked for port 0).
    public private(set) var port: Int = 0
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    init(address: String, group: ServiceGroup, task: Task<Void, any Error>) {
        self.address = address
        self.group = group
        self.task = task
    }

    func listening(on port: Int) -> StartedServer {
        var copy = self
        copy.port = port
        return copy
    }

    public var description: String { address }

    public func run() async throws {
        let group = self.group
        let task = self.task
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await task.value
            } onGracefulShutdown: {
                Task { await group.triggerGracefulShutdown() }
            }
        } onCancel: {
            task.cancel()
        }
    }

    /// Shuts it down gracefully and waits until it stopped, for code that never ran it.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}

/// A server that did not start: its address and why, in one line.
public struct StartupError: Error, CustomStringConvertible {
    public let address: String
    public let cause: (any Error)?

    public var description: String {
        "cannot listen on \(address): " + Self.reason(cause)
    }

    /// The system's words for a socket error ("Address already in use"), not NIO's dump of
    /// the call that failed.
    static func reason(_ cause: (any Error)?) -> String {
        switch cause {
        case nil: return "the server stopped before it listened"
        case let io as IOError: return String(cString: strerror(io.errnoCode))
        case is CancellationError: return "cancelled while starting"
        case let other?: return String(describing: other)
        }
    }
}
