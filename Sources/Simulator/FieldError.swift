/// One entry of an `errors` array, in the seed's wording. The 400 builders follow the
/// templates of `seed/management-api-v2-errors.txt` word for word.
struct FieldError: Sendable, Hashable {
    let code: String
    let description: String

    static func empty(_ field: String) -> FieldError {
        FieldError(code: "empty", description: "Field '\(field)' cannot be empty.")
    }

    static func required(_ field: String) -> FieldError {
        FieldError(code: "required", description: "Field '\(field)' is required.")
    }

    static func invalidFormat(_ field: String, _ rule: String, _ value: String) -> FieldError {
        FieldError(code: "invalid_format", description: "Field '\(field)' cannot \"\(rule)\". Value of '\(value)' was provided.")
    }

    static func invalidType(_ field: String, _ type: String, _ value: String) -> FieldError {
        FieldError(code: "invalid_type", description: "Field '\(field)' must be of type '\(type)'. Value of '\(value)' was provided.")
    }

    static func notAllowed(_ field: String, with other: String, _ value: String) -> FieldError {
        FieldError(code: "not_allowed", description: "Field '\(field)' cannot be used with '\(other)'. Value of '\(value)' was provided.")
    }

    static func resourceExhausted(_ action: String, _ resource: String, _ value: String) -> FieldError {
        FieldError(code: "resource_exhausted", description: "You cannot '\(action)' any more of '\(resource)'. Value of '\(value)' was provided.")
    }

    static func tooHigh(_ field: String, _ limit: String, _ value: String) -> FieldError {
        FieldError(code: "too_high", description: "Field '\(field)' must be lower than '\(limit)'. Value of '\(value)' was provided.")
    }

    static func tooLong(_ field: String, _ limit: Int, _ value: String) -> FieldError {
        FieldError(code: "too_long", description: "Field '\(field)' must be shorter than '\(limit)' characters. Value of '\(value)' was provided.")
    }

    static func tooLow(_ field: String, _ limit: String, _ value: String) -> FieldError {
        FieldError(code: "too_low", description: "Field '\(field)' must be higher than '\(limit)'. Value of '\(value)' was provided.")
    }

    static func tooShort(_ field: String, _ limit: Int, _ value: String) -> FieldError {
        FieldError(code: "too_short", description: "Field '\(field)' must be longer than '\(limit)'. Value of '\(value)' was provided.")
    }

    /// The seed's own description for each non-400 status.
    static func standard(_ status: Int) -> FieldError {
        switch status {
        case 401: FieldError(code: "unauthorized", description: "The provided authentication credentials are invalid.")
        case 403: FieldError(code: "forbidden", description: "The requestor does not have permission to perform the request.")
        case 404: FieldError(code: "not_found", description: "The requested resource could not be found.")
        case 405: FieldError(code: "method_not_allowed", description: "The provided method is not allowed on the targeted resource.")
        case 409: FieldError(code: "conflict", description: "Request conflicts with state of target resource.")
        case 422: FieldError(code: "unprocessable", description: "The provided request cannot be processed.")
        case 429: FieldError(code: "rate_limit_exceeded", description: "The rate limit has been exceeded.")
        case 500: FieldError(code: "internal_server_error", description: "An unexpected internal server error occurred.")
        case 502: FieldError(code: "bad_gateway", description: "A dependent service returned an invalid response.")
        case 503: FieldError(code: "service_unavailable", description: "A dependent service is temporarily unavailable.")
        case 504: FieldError(code: "gateway_timeout", description: "A dependent service timed out.")
        default: FieldError(code: "http_\(status)", description: "Status \(status).")
        }
    }
}
