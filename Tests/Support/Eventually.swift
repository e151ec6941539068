import Synchronization
/// Waits for a condition up to a deadline, checking every `poll`; never a fixed sleep. True as
/// soon as the condition holds; false if it still does not at the deadline (checked once more
/// there, so a condition met at the last moment counts).
public func eventually(
    within limit: Duration = .seconds(60), poll: Duration = .milliseconds(20), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: poll)
    }
    return try await condition()
}

/// Runs `operation` and tells whether it finished within `limit`; past it, the operation is
/// cancelled and left behind. For a test whose failure is a hang: it fails in bounded time
/// instead of holding the whole run, even when the operation ignores its cancellation (awaiting
/// another task's value does). The limit only bounds the hang (a minute unless said), never
/// measures speed.
public func finishes(
    within limit: Duration = .seconds(60), _ operation: @escaping @Sendable () async throws -> Void
) async throws -> Bool {
    let outcome = FirstOutcome()
    let work = Task {
        do {
            try await operation()
            outcome.settle(.success(true))
        } catch {
            outcome.settle(.failure(error))
        }
    }
    let timer = Task {
        try? await Task.sleep(for: limit)
        outcome.settle(.success(false))
    }
    let result = await outcome.value
    timer.cancel()
    if case .success(false) = result { work.cancel() }
    return try result.get()
}

/// The first of several results to arrive; later ones are dropped.
private final class FirstOutcome: Sendable {
    private let state = Mutex<(result: Result<Bool, any Error>?, waiter: CheckedContinuation<Result<Bool, any Error>, Never>?)>((nil, nil))

    func settle(_ result: Result<Bool, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<Result<Bool, any Error>, Never>? in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: result)
    }

    var value: Result<Bool, any Error> {
        get async {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Result<Bool, any Error>? in
                    if state.result == nil { state.waiter = continuation }
                    return state.result
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }
}
