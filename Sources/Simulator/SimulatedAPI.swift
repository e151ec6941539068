import Foundation
import Synchronization

/// The simulated Management API v2, independent of any HTTP server: one request in, one
/// answer out. Checks run in the service's order: authentication (401), quota (429),
/// injected faults (5xx), route (404, 405), permission (403), then the route's own
/// validation (400, 409, 422).
public final class SimulatedAPI: Sendable {
    private struct State: Sendable {
        var quota: QuotaLedger
        var store: Store
        var rng: SplitMix64
        var requestCounter: UInt64 = 0
        var tokens: [String: SimulatedToken]
    }

    public let configuration: SimulatorConfiguration
    private let state: Mutex<State>

    public init(configuration: SimulatorConfiguration) {
        self.configuration = configuration
        let tokens = Dictionary(configuration.tokens.map { ($0.secret, $0) }, uniquingKeysWith: { _, last in last })
        state = Mutex(State(quota: QuotaLedger(limit: configuration.quotaPerMinute), store: Store(seed: configuration.seed),
                            rng: SplitMix64(seed: configuration.seed), tokens: tokens))
    }

    /// Adds (or replaces) a token while running; the synthetic jobs register theirs this way.
    public func register(_ token: SimulatedToken) {
        state.withLock { $0.tokens[token.secret] = token }
    }

    public func respond(to request: SimulatedRequest) -> SimulatedResponse {
        let now = configuration.clock.now()
        var response = state.withLock { state in
            state.requestCounter += 1
            let requestID = Self.requestID(seed: configuration.seed, counter: state.requestCounter)
            var (response, remaining) = answer(request, now: now, state: &state)
            response.headers.append(("jw-request-limit", String(configuration.quotaPerMinute)))
            response.headers.append(("jw-request-remaining", String(remaining)))
            response.headers.append(("jw-request-id", requestID))
            response.delay += configuration.latency
            return response
        }
        // Outside the lock: concurrent calls encode their answers side by side.
        response.serialize()
        return response
    }

    /// 32 hex digits, unique per request (the mixer is a bijection of the counter).
    static func requestID(seed: UInt64, counter: UInt64) -> String {
        let high = SplitMix64.mix(seed &+ counter)
        let low = SplitMix64.mix(~counter)
        return hex(high) + hex(low)
    }

    private static func hex(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }

    private func answer(_ request: SimulatedRequest, now: Date, state: inout State) -> (SimulatedResponse, Int) {
        let limit = configuration.quotaPerMinute
        guard let secret = Self.secret(from: request.authorization), let token = state.tokens[secret] else {
            return (.standardError(401), limit)
        }
        guard case .accepted(let remaining) = state.quota.admit(secret: secret, at: now) else {
            return (.standardError(429), 0)
        }
        if let fault = fault(rng: &state.rng) { return (fault, remaining) }
        guard let route = Route(path: request.path) else { return (.standardError(404), remaining) }
        guard route.allowedMethods.contains(request.method) else { return (.standardError(405), remaining) }
        if request.method != "GET", token.role == .viewer { return (.standardError(403), remaining) }
        if request.bodyTooLarge {
            let error = FieldError.tooLong("body", configuration.maxBodyBytes, "\(configuration.maxBodyBytes + 1) bytes or more")
            return (SimulatedResponse(status: 400, errors: [error]), remaining)
        }
        var context = RouteContext(request: request, now: now, store: state.store, rng: state.rng)
        let response = context.handle(route)
        state.store = context.store
        state.rng = context.rng
        return (response, remaining)
    }

    /// `Bearer <secret>`, or the bare secret the service also accepts.
    /// Trimmed in Swift, not through Foundation's bridged `trimmingCharacters`, which cost a
    /// load test more than the quota check itself.
    static func secret(from authorization: String?) -> String? {
        guard let authorization else { return nil }
        let trimmed = trimmingBlanks(authorization[...])
        let scheme = trimmed.prefix(7)
        if scheme.count == 7, scheme.lowercased() == "bearer " {
            return String(trimmingBlanks(trimmed.dropFirst(7)))
        }
        return trimmed.isEmpty ? nil : String(trimmed)
    }

    private static func trimmingBlanks(_ text: Substring) -> Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isBlank($0) }), let last = text.lastIndex(where: { !isBlank($0) }) else { return "" }
        return text[first...last]
    }

    private func fault(rng: inout SplitMix64) -> SimulatedResponse? {
        guard configuration.faultRate > 0 else { return nil }
        let draw = Double(rng.next() >> 11) / Double(1 << 53)
        guard draw < configuration.faultRate else { return nil }
        switch rng.next() % 4 {
        case 0: return .standardError(500)
        case 1:
            // Gateways in front of the real service answer 502 with an HTML page, not JSON.
            if rng.next() % 2 == 0 {
                return SimulatedResponse(status: 502, contentType: "text/html", text: """
                    <html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n
                    """)
            }
            return .standardError(502)
        case 2: return .standardError(503)
        default: return .standardError(504, delay: configuration.gatewayTimeoutDelay)
        }
    }
}
