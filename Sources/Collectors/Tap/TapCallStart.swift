import Foundation
import ManagementAPI
import NIOCore

/// What the tap knows of a call when its head arrives, and the record it becomes.
struct TapCallStart {
    let time: Date
    let stopwatch: ContinuousClock.Instant
    let token: TokenReference
    let method: String
    let path: String
    let query: String?
    /// Who is calling, still being looked up perhaps: the delivery waits for it, the answer never.
    let caller: CallerCell?
    let userAgent: String?
    /// Set once the body is read whole; a call refused before that is recorded without one.
    var requestBody: ByteBuffer?

    func tapped(_ outcome: CallOutcome, rate: RateHeaders, errors: [ErrorEntry]) -> TappedCall {
        let record = CallRecord(time: time, token: token, method: method, path: path, outcome: outcome,
                                latency: ContinuousClock.now - stopwatch, rate: rate, errors: errors, source: .tap)
        return TappedCall(record: record, requestBody: requestBody, query: query, caller: caller, userAgent: userAgent)
    }
}

/// The token of each call on one job connection. A job sends the same Authorization on every
/// call, so its fingerprint (a SHA-256) is worked out once per connection, not per call. The
/// secret itself goes no further than this.
struct TapTokens {
    let labels: [Fingerprint: String]
    private var lastAuthorization: String?
    private var lastReference: TokenReference?

    init(labels: [Fingerprint: String]) {
        self.labels = labels
    }

    mutating func reference(_ authorization: String?) -> TokenReference {
        if let lastReference, authorization == lastAuthorization { return lastReference }
        let value = (authorization ?? "").trimmingCharacters(in: .whitespaces)
        let secret = value.lowercased().hasPrefix("bearer ") ? String(value.dropFirst(7)).trimmingCharacters(in: .whitespaces) : value
        let fingerprint = Secret(secret).fingerprint
        let reference = TokenReference(fingerprint: fingerprint, label: secret.isEmpty ? "(no token)" : labels[fingerprint])
        lastAuthorization = authorization
        lastReference = reference
        return reference
    }
}

/// The request target as the tap forwards it.
enum TapTarget {
    /// The origin form (path and query) of a target. A proxy-style absolute URL keeps only
    /// its path and query, so no call can be sent anywhere but the upstream.
    static func originForm(_ uri: String) -> String {
        guard !uri.hasPrefix("/") else { return uri }
        let lowered = uri.prefix(8).lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else { return uri }
        let afterScheme = uri[uri.index(uri.firstIndex(of: ":")!, offsetBy: 3)...]
        guard let start = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
        let rest = afterScheme[start...]
        return rest.hasPrefix("?") ? "/" + rest : String(rest)
    }

    /// The host of an absolute-form target (`http://host:port/path`), lowercased, without
    /// its port or brackets; nil for origin form.
    static func absoluteHost(_ uri: String) -> String? {
        guard !uri.hasPrefix("/") else { return nil }
        let lowered = uri.prefix(8).lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else { return nil }
        let afterScheme = uri[uri.index(uri.firstIndex(of: ":")!, offsetBy: 3)...]
        var authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            return ProxyRules.normal(String(authority[authority.index(after: authority.startIndex)..<close]))
        }
        return ProxyRules.normal(String(authority.prefix { $0 != ":" }))
    }

    /// The path (without the query) and the query (without `?`, nil when there is none).
    static func split(_ target: String) -> (path: String, query: String?) {
        guard let mark = target.firstIndex(of: "?") else { return (target, nil) }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }

    /// A path and query of visible ASCII with well-formed percent escapes (RFC 3986).
    static func isValid(_ target: String) -> Bool {
        var bytes = target.utf8.makeIterator()
        guard bytes.next() == UInt8(ascii: "/") else { return false }
        while let byte = bytes.next() {
            guard byte > 0x20, byte < 0x7F else { return false }
            if byte == UInt8(ascii: "%") {
                guard let first = bytes.next(), let second = bytes.next(), isHexDigit(first), isHexDigit(second) else { return false }
            }
        }
        return true
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): true
        default: false
        }
    }
}
