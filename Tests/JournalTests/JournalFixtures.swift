import Foundation
@testable import Journal
import ManagementAPI
import Synchronization
import TestSupport

/// A fresh folder per test, and a journal path inside it; removed with `cleanUp`.
struct TemporaryJournal {
    let folder: String
    var path: String { folder + "/journal.sqlite" }

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-journal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: folder) }

    func mode(_ file: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: file)[.posixPermissions]) as? Int) ?? -1
    }
}

enum Fixtures {
    static let alpha = TokenReference(fingerprint: Fingerprint(hex: "a1a1a1a1"), label: "alpha")
    static let beta = TokenReference(fingerprint: Fingerprint(hex: "b2b2b2b2"), label: "beta")
    /// A fixed moment on a 10-second boundary, far enough back that its buckets are closed.
    static let start = Date(timeIntervalSinceReferenceDate: 800_000_000)

    static func record(
        at time: Date = start, token: TokenReference = alpha, method: String = "GET", path: String = "/v2/sites",
        status: Int, latencyMilliseconds: Int = 50, limit: Int? = nil, remaining: Int? = nil,
        requestID: String? = nil, errors: [ErrorEntry] = [], source: CallSource = .tap
    ) -> CallRecord {
        CallRecord(
            time: time, token: token, method: method, path: path, outcome: .status(status),
            latency: .milliseconds(latencyMilliseconds), rate: RateHeaders(limit: limit, remaining: remaining, requestID: requestID),
            errors: errors, source: source)
    }

    static let fieldErrors = [
        ErrorEntry(
            code: "invalid_value", description: "name must be at most 64 characters",
            detail: FieldDetail(field: "name", constraint: "max_length 64", provided: String(repeating: "x", count: 70))),
        ErrorEntry(code: "missing_field", description: "site_id is required", detail: FieldDetail(field: "site_id", constraint: nil, provided: nil)),
    ]
}


/// A wall clock the test moves by hand.
final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date) { current = Mutex(start) }
    var now: Date {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }
}

extension JournalWriter.Options {
    /// A writer that writes only when flushed or closed (or when `batchSize` fills): what a
    /// test then finds written, or failed, it asked for.
    static var onDemand: Self {
        var options = Self()
        options.batchInterval = .seconds(3_600)
        options.batchSize = 10_000
        return options
    }
}
