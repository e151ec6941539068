/// Field validation shared by the routes. Each check appends the seed-worded entry for
/// every bad field, so one answer can carry several.
struct Validator {
    private(set) var errors: [FieldError] = []

    mutating func add(_ error: FieldError) { errors.append(error) }

    /// Throws the collected errors, if any: the route answers 400 with all of them.
    func check() throws(FieldErrorList) {
        if !errors.isEmpty { throw FieldErrorList(errors) }
    }

    /// An object member that must be an object if present (nil when absent or wrong).
    mutating func object(_ value: Any?, _ field: String, required: Bool) -> [String: Any]? {
        guard let value else {
            if required { add(.required(field)) }
            return nil
        }
        guard let object = value as? [String: Any] else {
            add(.invalidType(field, "object", JSON.quote(value)))
            return nil
        }
        return object
    }

    /// A string with optional emptiness, minimum and maximum length rules.
    mutating func string(_ value: Any?, _ field: String, required: Bool = false, nonEmpty: Bool = true,
                         minLength: Int? = nil, maxLength: Int? = nil) -> String?
    {
        guard let value else {
            if required { add(.required(field)) }
            return nil
        }
        guard let text = value as? String else {
            add(.invalidType(field, "string", JSON.quote(value)))
            return nil
        }
        if nonEmpty, text.isEmpty {
            add(.empty(field))
            return nil
        }
        if let minLength, text.count < minLength {
            add(.tooShort(field, minLength - 1, text))
            return nil
        }
        if let maxLength, text.count > maxLength {
            add(.tooLong(field, maxLength, text))
            return nil
        }
        return text
    }

    /// An array of strings; `nonEmpty` turns `[]` into an `empty` error.
    mutating func strings(_ value: Any?, _ field: String, required: Bool = false, nonEmpty: Bool = false) -> [String]? {
        guard let value else {
            if required { add(.required(field)) }
            return nil
        }
        guard let array = value as? [Any] else {
            add(.invalidType(field, "array", JSON.quote(value)))
            return nil
        }
        if nonEmpty, array.isEmpty {
            add(.empty(field))
            return nil
        }
        var result: [String] = []
        for (index, item) in array.enumerated() {
            guard let text = item as? String else {
                add(.invalidType("\(field)[\(index)]", "string", JSON.quote(item)))
                return nil
            }
            result.append(text)
        }
        return result
    }

    /// `page` and `page_length` of the list routes: `page_length` 1…10 000, `page` ≥ 1.
    mutating func paging(_ query: [String: String]) -> (page: Int, pageLength: Int) {
        func integer(_ name: String, default fallback: Int, min: Int, max: Int?) -> Int {
            guard let text = query[name] else { return fallback }
            guard let value = Int(text) else {
                add(.invalidType(name, "integer", text))
                return fallback
            }
            if value < min {
                add(.tooLow(name, String(min - 1), text))
                return fallback
            }
            if let max, value > max {
                add(.tooHigh(name, String(max + 1), text))
                return fallback
            }
            return value
        }
        return (integer("page", default: 1, min: 1, max: nil), integer("page_length", default: 10, min: 1, max: 10_000))
    }
}
