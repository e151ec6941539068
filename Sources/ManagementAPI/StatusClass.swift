/// The groups of DESIGN.md section 2: an HTTP answer by its first digit, or no answer at all.
public enum StatusClass: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case success = "2xx"
    case clientError = "4xx"
    case serverError = "5xx"
    /// 1xx and 3xx: the API sends neither, so they are shown apart rather than hidden.
    case unexpected = "other"
    case transport = "transport"

    public init(status: Int) {
        switch status {
        case 200..<300: self = .success
        case 400..<500: self = .clientError
        case 500..<600: self = .serverError
        default: self = .unexpected
        }
    }

    public var title: String {
        switch self {
        case .success: "2xx Success"
        case .clientError: "4xx Client errors"
        case .serverError: "5xx Server errors"
        case .unexpected: "other Unexpected status"
        case .transport: "transport No HTTP answer"
        }
    }

    private var order: Int {
        switch self {
        case .clientError: 0
        case .serverError: 1
        case .transport: 2
        case .unexpected: 3
        case .success: 4
        }
    }

    public static func < (lhs: StatusClass, rhs: StatusClass) -> Bool { lhs.order < rhs.order }
}

/// The codes the seed assigns to each status (DESIGN.md section 1).
public enum StandardCodes {
    public static let byStatus: [Int: String] = [
        401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
        409: "conflict", 422: "unprocessable", 429: "rate_limit_exceeded",
        500: "internal_server_error", 502: "bad_gateway", 503: "service_unavailable",
        504: "gateway_timeout",
    ]

    /// The ten per-field codes a 400 carries.
    public static let fieldCodes: [String] = [
        "empty", "invalid_format", "invalid_type", "not_allowed", "required",
        "resource_exhausted", "too_high", "too_long", "too_low", "too_short",
    ]

    /// The code an answer of this status would carry; used when the body names none.
    public static func code(forStatus status: Int) -> String {
        byStatus[status] ?? "http_\(status)"
    }

    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 413: "Payload Too Large"
        case 422: "Unprocessable Entity"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: ""
        }
    }
}
