import Foundation

/// Who made the observation.
public enum CallSource: String, Sendable, Hashable, Codable {
    case probe
    case tap
}

/// What came back: an HTTP status, or no answer at all.
public enum CallOutcome: Sendable, Hashable, Codable {
    case status(Int)
    case transport(TransportFailure)

    public var statusClass: StatusClass {
        switch self {
        case .status(let code): StatusClass(status: code)
        case .transport: .transport
        }
    }

    public var status: Int? {
        if case .status(let code) = self { return code }
        return nil
    }
}

/// One observed call: the only thing the monitor ever sees (DESIGN.md section 2).
public struct CallRecord: Sendable, Hashable, Codable {
    public let time: Date
    public let token: TokenReference
    public let method: String
    /// The path without the query string.
    public let path: String
    public let outcome: CallOutcome
    public let latency: Duration
    public let rate: RateHeaders
    /// Decoded errors: empty for a 2xx; for a transport failure, one entry that says what happened.
    public let errors: [ErrorEntry]
    public let source: CallSource
    /// Set when the body was cut at the read cap (the rest was discarded).
    public let bodyTruncated: Bool

    public init(
        time: Date, token: TokenReference, method: String, path: String, outcome: CallOutcome,
        latency: Duration, rate: RateHeaders, errors: [ErrorEntry], source: CallSource, bodyTruncated: Bool = false
    ) {
        self.time = time
        self.token = token
        self.method = method
        self.path = path
        self.outcome = outcome
        self.latency = latency
        self.rate = rate
        self.errors = errors
        self.source = source
        self.bodyTruncated = bodyTruncated
    }

    public var statusClass: StatusClass { outcome.statusClass }
}
