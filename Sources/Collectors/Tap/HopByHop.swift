import HTTPTypes

/// Headers that belong to one connection, not to the call: a proxy drops them both ways
/// (RFC 9110 section 7.6.1), with any the Connection header names.
enum HopByHop {
    static let names: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer",
        "transfer-encoding", "upgrade", "host", "content-length",
    ]

    static func filtered(_ fields: HTTPFields) -> [(name: String, value: String)] {
        let named = Set(fields[values: .connection].flatMap { $0.split(separator: ",") }.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        })
        return fields.compactMap { field in
            let name = field.name.canonicalName
            return names.contains(name) || named.contains(name) ? nil : (field.name.rawName, field.value)
        }
    }
}
