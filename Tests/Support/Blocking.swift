import Foundation

/// Runs blocking work (a socket read with a timeout) on a thread of Dispatch's, not on one of
/// Swift concurrency's cooperative threads: a test that blocks those starves every server in
/// the test process that answers in tasks, and waits for an answer that cannot come.
public enum Blocking {
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }

    public static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }
}
