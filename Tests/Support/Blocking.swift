import Foundation

/// Runs blocking or CPU-heavy work (a socket read with a timeout, a 100 000-record loop) on a
/// thread of its own, not on one of Swift concurrency's cooperative threads: a test that holds
/// those starves every server in the test process that answers in tasks, and waits for an
/// answer that cannot come.
///
/// Not `DispatchQueue.global()`: on Linux its threads are the cooperative pool's own (two
/// CPU-bound blocks sent there delayed a 1 ms `Task.sleep` by the whole two seconds they ran).
public enum Blocking {
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
        }
    }

    public static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: work()) }
        }
    }
}
