/// Waits for a condition up to a deadline, checking every `poll`; never a fixed sleep. True as
/// soon as the condition holds; false if it still does not at the deadline (checked once more
/// there, so a condition met at the last moment counts).
public func eventually(
    within limit: Duration = .seconds(10), poll: Duration = .milliseconds(20), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: poll)
    }
    return try await condition()
}
