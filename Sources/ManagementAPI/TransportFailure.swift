/// Why a call got no usable HTTP answer. These form the `transport` class of the monitor.
public enum TransportFailure: String, Sendable, Hashable, Codable, CaseIterable {
    case refused
    case dns
    case tls
    case timeout
    case reset
    case bodyTooLarge = "body_too_large"
    case unreadableBody = "unreadable_body"
    case other

    public var summary: String {
        switch self {
        case .refused: "connection refused"
        case .dns: "name not resolved"
        case .tls: "TLS failure"
        case .timeout: "timed out"
        case .reset: "connection reset or closed early"
        case .bodyTooLarge: "body too large"
        case .unreadableBody: "unreadable body"
        case .other: "transport error"
        }
    }
}
