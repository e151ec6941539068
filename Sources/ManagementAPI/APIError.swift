/// One entry of an `errors` array, with the field detail parsed when a template matched.
public struct ErrorEntry: Sendable, Hashable, Codable {
    public let code: String
    /// The description exactly as the server sent it (the raw text of DESIGN.md section 2).
    public let description: String
    public let detail: FieldDetail?
    /// True when the body named no code and this entry was made from the status instead
    /// (an HTML 502 page, a plain string, a malformed `errors`).
    public let synthesized: Bool

    public init(code: String, description: String, detail: FieldDetail? = nil, synthesized: Bool = false) {
        self.code = code
        self.description = description
        self.detail = detail
        self.synthesized = synthesized
    }
}

/// How the body of an error answer looked.
public enum ErrorBodyShape: String, Sendable, Hashable, Codable {
    /// `{"errors":[…]}` with at least one usable entry.
    case standard
    /// JSON, but not the standard shape (no `errors`, not an array, empty, bad entries).
    case nonstandardJSON
    /// Not JSON at all: HTML from a gateway, plain text, truncated JSON.
    case notJSON
    case empty
    /// Larger than the decoder reads; the kept part is in `rawBody`.
    case tooLarge
    /// Its Content-Encoding (gzip…) would not undo: corrupt, cut, or a coding not decoded.
    case undecodable
}

/// A non-2xx answer, decoded. Nothing the server sent is dropped: unknown codes and
/// statuses are kept as they are, and the raw body is kept up to `rawBodyCap` bytes.
public struct APIError: Error, Sendable, Hashable, Codable {
    public static let rawBodyCap = 4_096

    public let status: Int
    public let entries: [ErrorEntry]
    public let shape: ErrorBodyShape
    /// The body as text (lossy UTF-8), cut at `rawBodyCap` bytes.
    public let rawBody: String
    public let rawBodyTruncated: Bool

    public init(status: Int, entries: [ErrorEntry], shape: ErrorBodyShape, rawBody: String, rawBodyTruncated: Bool) {
        self.status = status
        self.entries = entries
        self.shape = shape
        self.rawBody = rawBody
        self.rawBodyTruncated = rawBodyTruncated
    }

    public var statusClass: StatusClass { StatusClass(status: status) }
    /// The code of the first entry: what a one-line summary shows.
    public var primaryCode: String { entries.first?.code ?? StandardCodes.code(forStatus: status) }
}
