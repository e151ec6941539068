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
/// cancelled. For a test whose failure is a hang: it fails in bounded time instead of holding
/// the whole run. The limit only bounds the hang (a minute unless said), never measures speed.
public func finishes(
    within limit: Duration = .seconds(60), _ operation: @escaping @Sendable () async throws -> Void
) async throws -> Bool {
    try await withThrowingTaskGroup(of: Bool.self) { group in
        group.addTask {
            try await operation()
            return true
        }
        group.addTask {
            try? await Task.sleep(for: limit)
            return false
        }
        let first = try await group.next() ?? false
        group.cancelAll()
        return first
    }
}
