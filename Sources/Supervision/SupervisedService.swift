import ServiceLifecycle

/// A service that must run until its group shuts it down. Ending early or throwing is a
/// `ServiceFailure` that names it, so a collector that dies is never mistaken for one
/// that is still working (a dashboard would otherwise keep saying "live").
public struct SupervisedService: Service {
    public let name: String
    private let service: any Service

    /// `name` says what stopped, for a user: e.g. "the tap on 127.0.0.1:8787".
    public init(_ name: String, _ service: any Service) {
        self.name = name
        self.service = service
    }

    public func run() async throws {
        do {
            try await service.run()
        } catch {
            if Self.stopping { return }
            throw ServiceFailure(name: name, cause: error)
        }
        if !Self.stopping { throw ServiceFailure(name: name, cause: nil) }
    }

    /// Whether the group asked it to stop: then ending, or an error on the way out, is expected.
    private static var stopping: Bool { Task.isShuttingDownGracefully || Task.isCancelled }
}

/// A service that stopped on its own: which one and why, in one line.
public struct ServiceFailure: Error, CustomStringConvertible {
    public let name: String
    public let cause: (any Error)?

    public var description: String {
        switch cause {
        case nil: "\(name) stopped unexpectedly"
        case let failure as ServiceFailure: failure.description
        case let startup as StartupError: "\(name) failed: " + StartupError.reason(startup.cause)
        case let other?: "\(name) failed: " + StartupError.reason(other)
        }
    }
}
