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
    /// Who made the call (`JobName`): `probe` for mapitop's own probes, `?` until the tap
    /// knows, `other` past the cap.
    public let job: String
    /// The path with its ids named (`APIRoute`), or `other` past the cap.
    public let route: String

    /// `route` defaults to the path's (`APIRoute.of`); `job` to `?`, or `probe` for a probe.
    public init(
        time: Date, token: TokenReference, method: String, path: String, outcome: CallOutcome,
        latency: Duration, rate: RateHeaders, errors: [ErrorEntry], source: CallSource, bodyTruncated: Bool = false,
        job: String? = nil, route: String? = nil
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
        self.job = job ?? (source == .probe ? JobName.probe : JobName.unknown)
        self.route = route ?? APIRoute.of(path: path)
    }

    /// The same call with its job and route as given (the tap's attribution, a cap's `other`).
    public func attributed(job: String, route: String? = nil) -> CallRecord {
        CallRecord(
            time: time, token: token, method: method, path: path, outcome: outcome, latency: latency, rate: rate,
            errors: errors, source: source, bodyTruncated: bodyTruncated, job: job, route: route ?? self.route)
    }

    /// The same call with other errors (an error answer decoded off the tap's event loop).
    public func withErrors(_ errors: [ErrorEntry]) -> CallRecord {
        CallRecord(
            time: time, token: token, method: method, path: path, outcome: outcome, latency: latency, rate: rate,
            errors: errors, source: source, bodyTruncated: bodyTruncated, job: job, route: route)
    }

    public var statusClass: StatusClass { outcome.statusClass }
}
