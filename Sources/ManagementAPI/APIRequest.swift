import Foundation

/// One call to make: a method, a path template with its parameters, a query and a body.
public struct APIRequest: Sendable, Hashable {
    public struct QueryItem: Sendable, Hashable {
        public let name: String
        public let value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public enum BuildError: Error, Hashable, CustomStringConvertible {
        case missingParameter(String)
        /// What is wrong with the site id, never the id itself: it is config text, and a
        /// secret pasted into the wrong key must not reach a screen, a log or an error.
        case invalidSiteID(SiteIDProblem)
        case invalidBaseURL(String)

        public var description: String {
            switch self {
            case .missingParameter(let name): "the path needs a value for {\(name)}"
            case .invalidSiteID(let problem): "site id \(problem)"
            case .invalidBaseURL(let base): "base URL '\(base.prefix(200))' is not an http(s) URL"
            }
        }
    }

    /// Why a site id is not one: its length and the kinds of characters that do not belong.
    public struct SiteIDProblem: Sendable, Hashable, CustomStringConvertible {
        public enum Kind: String, Sendable, Hashable, CaseIterable {
            case whitespace = "spaces"
            case control = "control characters"
            case punctuation = "punctuation or symbols"
            case nonASCII = "non-ASCII characters"
        }

        /// Length in characters.
        public let length: Int
        /// The kinds present, in `Kind.allCases` order.
        public let offending: [Kind]

        /// Nil when `id` is a valid site id (8 ASCII letters or digits).
        public init?(_ id: String) {
            guard !APIRequest.isValidSiteID(id) else { return nil }
            length = id.count
            var kinds = Set<Kind>()
            for scalar in id.unicodeScalars {
                switch scalar.value {
                case 48...57, 65...90, 97...122: continue
                case 0x20, 0x09: kinds.insert(.whitespace)
                case 0..<0x20, 0x7F: kinds.insert(.control)
                case 0x21..<0x7F: kinds.insert(.punctuation)
                default: kinds.insert(.nonASCII)
                }
            }
            offending = Kind.allCases.filter(kinds.contains)
        }

        public var description: String {
            let characters = length == 1 ? "1 character" : "\(length) characters"
            let kinds = offending.isEmpty ? "" : ", including " + offending.map(\.rawValue).joined(separator: " and ")
            return "must be 8 letters or digits; the value given has \(characters)\(kinds)"
        }
    }

    public var method: String
    /// E.g. `/v2/sites/{site_id}/media/`.
    public var pathTemplate: String
    public var parameters: [String: String]
    public var query: [QueryItem]
    public var body: [UInt8]?

    public init(method: String, path pathTemplate: String, parameters: [String: String] = [:],
                query: [QueryItem] = [], body: [UInt8]? = nil)
    {
        self.method = method
        self.pathTemplate = pathTemplate
        self.parameters = parameters
        self.query = query
        self.body = body
    }

    /// Site ids are 8 alphanumerics (DESIGN.md section 1).
    public static func isValidSiteID(_ id: String) -> Bool {
        id.utf8.count == 8 && id.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) }
    }

    /// Characters a path segment may hold unescaped: unreserved ones only.
    private static let segmentAllowed: CharacterSet = {
        var set = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        set.insert(charactersIn: "-._~")
        return set
    }()

    /// The path with every `{name}` filled in and escaped as one segment.
    public func resolvedPath() throws(BuildError) -> String {
        var path = ""
        var rest = pathTemplate[...]
        while let open = rest.firstIndex(of: "{") {
            path += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let name = String(rest[rest.index(after: open)..<close])
            guard let value = parameters[name] else { throw .missingParameter(name) }
            if name == "site_id", let problem = SiteIDProblem(value) { throw .invalidSiteID(problem) }
            path += value.addingPercentEncoding(withAllowedCharacters: Self.segmentAllowed) ?? ""
            rest = rest[rest.index(after: close)...]
        }
        return path + rest
    }

    /// The query string, `application/x-www-form-urlencoded` style, without the `?`.
    public var encodedQuery: String {
        query.map { item in
            let name = item.name.addingPercentEncoding(withAllowedCharacters: Self.segmentAllowed) ?? ""
            let value = item.value.addingPercentEncoding(withAllowedCharacters: Self.segmentAllowed) ?? ""
            return "\(name)=\(value)"
        }.joined(separator: "&")
    }

    /// The full URL against a base such as `https://api.jwplayer.com`.
    public func url(base: String) throws(BuildError) -> String {
        guard let components = URLComponents(string: base), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", components.host?.isEmpty == false
        else { throw .invalidBaseURL(base) }
        var trimmedBase = base
        while trimmedBase.hasSuffix("/") { trimmedBase.removeLast() }
        let query = encodedQuery
        return trimmedBase + (try resolvedPath()) + (query.isEmpty ? "" : "?" + query)
    }

    /// A JSON body from any encodable value.
    public static func jsonBody<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }
}
