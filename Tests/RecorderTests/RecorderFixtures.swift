import Foundation
import Journal
import ManagementAPI
import Synchronization
import TestSupport

/// A fresh folder per test, with a journal path inside it; removed with `cleanUp`.
struct TemporaryFolder {
    let path: String
    var journal: String { path + "/journal.sqlite" }

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-recorder-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: path) }
}

enum Fixtures {
    static let alpha = TokenReference(fingerprint: Fingerprint(hex: "a1a1a1a1"), label: "alpha")
    static let beta = TokenReference(fingerprint: Fingerprint(hex: "b2b2b2b2"), label: "beta")
    /// On a 10-second boundary, long past, so buckets are closed.
    static let start = Date(timeIntervalSinceReferenceDate: 800_000_000)

    static func record(
        at offset: TimeInterval = 0, token: TokenReference = alpha, method: String = "GET", path: String = "/v2/sites",
        status: Int, limit: Int? = nil, remaining: Int? = nil, errors: [ErrorEntry] = []
    ) -> CallRecord {
        CallRecord(
            time: start.addingTimeInterval(offset), token: token, method: method, path: path, outcome: .status(status),
            latency: .milliseconds(40), rate: RateHeaders(limit: limit, remaining: remaining, requestID: nil),
            errors: errors, source: .tap)
    }

    /// An ISO 8601 time `offset` seconds after `start`, as a query wants it.
    static func iso(_ offset: TimeInterval) -> String {
        start.addingTimeInterval(offset).formatted(.iso8601)
    }
}


/// Decodes one JSON object from a line.
func object(_ line: some StringProtocol) throws -> [String: Any] {
    try (JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? [:]
}

/// A value the test and the server's callbacks share.
final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    var current: Value { value.withLock { $0 } }
    func update(_ change: (inout Value) -> Void) { value.withLock { change(&$0) } }
}
