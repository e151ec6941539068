import Foundation

/// Decoding as a pure function of (status, headers, body bytes). The client and the tap
/// both call it, so an answer means the same wherever it was seen.
public enum ResponseDecoder {
    /// Bodies past this size are not parsed (the transport reads at most this much anyway).
    public static let parseCap = 1 << 20

    public enum Outcome: Sendable {
        case success(status: Int, body: [UInt8])
        case failure(APIError)
    }

    public static func decode(status: Int, body: [UInt8]) -> Outcome {
        if (200..<300).contains(status) { return .success(status: status, body: body) }
        return .failure(decodeError(status: status, body: body))
    }

    /// Decodes an error answer as it came off the wire: its Content-Encoding (gzip from a
    /// gateway) undone first, under `limit` decoded bytes. A body that will not decode, or
    /// decodes past the limit, becomes one synthesized entry that says so; the status stays.
    public static func decodeError(status: Int, wireBody: [UInt8], contentEncoding: String?, limit: Int = parseCap) -> APIError {
        let codings = ContentDecoding.codings(contentEncoding)
        guard !codings.isEmpty else { return decodeError(status: status, body: Array(wireBody.prefix(limit))) }
        let coding = codings.joined(separator: ", ")
        do {
            let decoded = try ContentDecoding.decode(wireBody, contentEncoding: contentEncoding, limit: limit)
            guard !decoded.truncated else {
                return tooLarge(status: status, note: "the \(coding) body decodes to more than \(limit) bytes; not parsed",
                                kept: decoded.bytes)
            }
            return decodeError(status: status, body: decoded.bytes)
        } catch {
            // The wire bytes are binary noise: they are counted, not kept as text.
            let entry = ErrorEntry(code: StandardCodes.code(forStatus: status),
                                   description: "\(error.description) (\(wireBody.count) bytes); not parsed", synthesized: true)
            return APIError(status: status, entries: [entry], shape: .undecodable, rawBody: "", rawBodyTruncated: !wireBody.isEmpty)
        }
    }

    /// An answer too large to parse: one synthesized entry, and the first bytes as raw text.
    public static func tooLarge(status: Int, note: String, kept: [UInt8]) -> APIError {
        let entry = ErrorEntry(code: StandardCodes.code(forStatus: status), description: note, synthesized: true)
        return APIError(status: status, entries: [entry], shape: .tooLarge,
                        rawBody: String(decoding: kept.prefix(APIError.rawBodyCap), as: UTF8.self), rawBodyTruncated: true)
    }

    /// Decodes any answer that is not a success into an `APIError`.
    public static func decodeError(status: Int, body: [UInt8]) -> APIError {
        let truncated = body.count > APIError.rawBodyCap
        let raw = String(decoding: body.prefix(APIError.rawBodyCap), as: UTF8.self)
        func error(_ entries: [ErrorEntry], _ shape: ErrorBodyShape) -> APIError {
            APIError(status: status, entries: entries, shape: shape, rawBody: raw, rawBodyTruncated: truncated)
        }
        let fallbackCode = StandardCodes.code(forStatus: status)
        if body.isEmpty {
            return error([ErrorEntry(code: fallbackCode, description: "empty body", synthesized: true)], .empty)
        }
        if body.count > parseCap {
            let note = "body of \(body.count) bytes is larger than the \(parseCap)-byte limit; not parsed"
            return error([ErrorEntry(code: fallbackCode, description: note, synthesized: true)], .tooLarge)
        }
        guard let json = JSONValue.parse(body) else {
            let summary = htmlTitle(in: raw).map { "HTML page: \($0)" } ?? firstLine(of: raw)
            return error([ErrorEntry(code: fallbackCode, description: "not JSON: \(summary)", synthesized: true)], .notJSON)
        }
        let (entries, problem) = entries(in: json)
        if let problem {
            return error([ErrorEntry(code: fallbackCode, description: problem, synthesized: true)] + entries, .nonstandardJSON)
        }
        return error(entries, .standard)
    }

    /// The usable entries of a JSON error body, and what was wrong with it, if anything.
    static func entries(in json: JSONValue) -> ([ErrorEntry], String?) {
        guard let errors = json["errors"] else { return ([], "JSON without an \"errors\" member") }
        guard case .array(let items) = errors else { return ([], "\"errors\" is not an array") }
        guard !items.isEmpty else { return ([], "\"errors\" is empty") }
        var entries: [ErrorEntry] = []
        entries.reserveCapacity(items.count)
        var skipped = 0
        for item in items {
            guard case .object = item, let code = item["code"], code != .null else {
                skipped += 1
                continue
            }
            let codeText = code.looseText
            let description = item["description"].map(\.looseText) ?? ""
            entries.append(
                ErrorEntry(code: codeText, description: description,
                           detail: FieldTemplates.parse(code: codeText, description: description)))
        }
        if entries.isEmpty { return ([], "no entry of \"errors\" has a code") }
        if skipped > 0 {
            return (entries, "\(skipped) of \(items.count) entries of \"errors\" had no code")
        }
        return (entries, nil)
    }

    /// The `<title>` of an HTML page, so a gateway's error page reads as its headline.
    static func htmlTitle(in text: String) -> String? {
        guard let open = text.range(of: "<title>", options: .caseInsensitive),
            let close = text.range(of: "</title>", options: .caseInsensitive, range: open.upperBound..<text.endIndex)
        else { return nil }
        let title = text[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
        return title.isEmpty ? nil : String(title.prefix(120))
    }

    static func firstLine(of text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first { !$0.allSatisfy(\.isWhitespace) } ?? ""
        let trimmed = line.drop(while: \.isWhitespace)
        return trimmed.count > 120 ? String(trimmed.prefix(120)) + "…" : String(trimmed)
    }

    /// A list answer: `{"media":[…],"page":1,"page_length":10,"total":541}`. The resource
    /// key is the member holding an array.
    public static func decodeList(_ body: [UInt8]) -> ListEnvelope? {
        guard let json = JSONValue.parse(body), case .object(let members) = json
        else { return nil }
        guard let (key, value) = members.first(where: { if case .array = $0.value { true } else { false } }),
            case .array(let items) = value
        else { return nil }
        return ListEnvelope(
            resource: key, items: items, page: json["page"]?.intValue,
            pageLength: json["page_length"]?.intValue, total: json["total"]?.intValue)
    }
}

/// The paging envelope of every list route.
public struct ListEnvelope: Sendable, Hashable {
    public let resource: String
    public let items: [JSONValue]
    public let page: Int?
    public let pageLength: Int?
    public let total: Int?
}
