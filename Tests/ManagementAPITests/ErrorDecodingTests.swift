import Foundation
import ManagementAPI
import Testing

private func body(_ text: String) -> [UInt8] { Array(text.utf8) }

private func errorBody(_ entries: [(String, String)]) -> [UInt8] {
    let items = entries.map { code, description in
        // JSON strings by JSONEncoder (it cannot fail on a String): the descriptions carry quotes.
        func quoted(_ text: String) -> String { String(decoding: (try? JSONEncoder().encode(text)) ?? Data(), as: UTF8.self) }
        return "{\"code\":\(quoted(code)),\"description\":\(quoted(description))}"
    }
    return body("{\"errors\":[" + items.joined(separator: ",") + "]}")
}

@Suite("Decoding error answers")
struct ErrorDecodingTests {
    /// Every status and code of the seed's table, with the seed's own description.
    static let seedStatuses: [(Int, String, String)] = [
        (401, "unauthorized", "The provided authentication credentials are invalid."),
        (403, "forbidden", "The requestor does not have permission to perform the request."),
        (404, "not_found", "The requested resource could not be found."),
        (405, "method_not_allowed", "The provided method is not allowed on the targeted resource."),
        (409, "conflict", "Request conflicts with state of target resource."),
        (422, "unprocessable", "The provided request cannot be processed."),
        (429, "rate_limit_exceeded", "The rate limit has been exceeded."),
        (500, "internal_server_error", "An unexpected internal server error occurred."),
        (502, "bad_gateway", "A dependent service returned an invalid response."),
        (503, "service_unavailable", "A dependent service is temporarily unavailable."),
        (504, "gateway_timeout", "A dependent service timed out."),
    ]

    @Test("every seed status decodes to its code", arguments: seedStatuses)
    func seedStatus(status: Int, code: String, description: String) {
        let error = ResponseDecoder.decodeError(status: status, body: errorBody([(code, description)]))
        #expect(error.status == status)
        #expect(error.shape == .standard)
        #expect(error.entries == [ErrorEntry(code: code, description: description)])
        #expect(error.statusClass == (status < 500 ? .clientError : .serverError))
        #expect(StandardCodes.code(forStatus: status) == code)
    }

    /// (code, description, field, constraint, provided)
    static let templates: [(String, String, String, String?, String?)] = [
        ("empty", "Field 'metadata.title' cannot be empty.", "metadata.title", nil, nil),
        ("invalid_format", "Field 'metadata.publish_start_date' cannot \"be parsed as a date\". Value of '2024-13-45' was provided.",
         "metadata.publish_start_date", "be parsed as a date", "2024-13-45"),
        ("invalid_type", "Field 'metadata.tags' must be of type 'array'. Value of 'news' was provided.", "metadata.tags", "array", "news"),
        ("not_allowed", "Field 'upload.download_url' cannot be used with 'upload.method=direct'. Value of 'http://x/y.mp4' was provided.",
         "upload.download_url", "upload.method=direct", "http://x/y.mp4"),
        ("required", "Field 'upload.method' is required.", "upload.method", nil, nil),
        ("resource_exhausted", "You cannot 'create' any more of 'webhooks'. Value of '11' was provided.", "webhooks", "create", "11"),
        ("too_high", "Field 'page_length' must be lower than '10001'. Value of '20000' was provided.", "page_length", "10001", "20000"),
        ("too_long", "Field 'metadata.title' must be shorter than '255' characters. Value of 'aaaa' was provided.", "metadata.title", "255", "aaaa"),
        ("too_low", "Field 'page_length' must be higher than '0'. Value of '0' was provided.", "page_length", "0", "0"),
        ("too_short", "Field 'metadata.name' must be longer than '2'. Value of 'ab' was provided.", "metadata.name", "2", "ab"),
        // Values with quotes, the template's own words, unicode and empty strings.
        ("too_long", "Field 'metadata.title' must be shorter than '255' characters. Value of 'it's 'quoted'' was provided.",
         "metadata.title", "255", "it's 'quoted'"),
        ("too_long", "Field 'metadata.title' must be shorter than '5' characters. Value of 'x. Value of 'y' was provided.' was provided.",
         "metadata.title", "5", "x. Value of 'y' was provided."),
        ("invalid_type", "Field 'metadata.tags' must be of type 'array'. Value of '日本語 🎬 e\u{301}' was provided.",
         "metadata.tags", "array", "日本語 🎬 e\u{301}"),
        ("invalid_type", "Field 'metadata.tags' must be of type 'array'. Value of '' was provided.", "metadata.tags", "array", ""),
        // Route wording without the value tail.
        ("too_long", "Field 'metadata.description' must be shorter than '10000' characters.", "metadata.description", "10000", nil),
        ("too_high", "Field 'page' must be lower than '100'.", "page", "100", nil),
    ]

    @Test("the seed's 400 templates parse into field, constraint and value", arguments: templates)
    func template(code: String, description: String, field: String, constraint: String?, provided: String?) throws {
        let error = ResponseDecoder.decodeError(status: 400, body: errorBody([(code, description)]))
        #expect(error.shape == .standard)
        let entry = try #require(error.entries.first)
        #expect(entry.code == code)
        #expect(entry.description == description)
        #expect(entry.detail == FieldDetail(field: field, constraint: constraint, provided: provided))
    }

    static let unmatched: [(String, String)] = [
        ("too_long", "Title is way too long."),
        ("required", "Field '' is required."),
        ("too_long", "Field 'x' must be shorter than"),
        ("empty", ""),
        ("custom_code", "Field 'x' cannot be empty."),
        ("invalid_type", "Field 'x' must be of type 'array'. Value of 'y' was provided"),
    ]

    @Test("descriptions that match no template keep their raw text", arguments: unmatched)
    func unmatchedTemplate(code: String, description: String) {
        let error = ResponseDecoder.decodeError(status: 400, body: errorBody([(code, description)]))
        #expect(error.entries == [ErrorEntry(code: code, description: description, detail: nil)])
    }

    @Test("a 400 keeps one entry per field, in order")
    func severalFields() {
        let error = ResponseDecoder.decodeError(status: 400, body: errorBody([
            ("too_long", "Field 'metadata.title' must be shorter than '255' characters. Value of 'x' was provided."),
            ("required", "Field 'upload.method' is required."),
            ("invalid_type", "Field 'metadata.tags' must be of type 'array'. Value of 'a' was provided."),
        ]))
        #expect(error.entries.map(\.code) == ["too_long", "required", "invalid_type"])
        #expect(error.entries.compactMap(\.detail?.field) == ["metadata.title", "upload.method", "metadata.tags"])
        #expect(error.primaryCode == "too_long")
    }

    @Test("unknown codes and statuses are kept as they are")
    func unknownCodes() {
        let error = ResponseDecoder.decodeError(status: 418, body: errorBody([("teapot", "I'm a teapot.")]))
        #expect(error.status == 418)
        #expect(error.entries == [ErrorEntry(code: "teapot", description: "I'm a teapot.")])
        #expect(error.statusClass == .clientError)
        #expect(ResponseDecoder.decodeError(status: 302, body: []).statusClass == .unexpected)
        #expect(StandardCodes.code(forStatus: 418) == "http_418")
    }

    @Test("an HTML 502 page from a gateway keeps its status and reads as its title")
    func htmlGatewayPage() {
        let html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center></body></html>"
        let error = ResponseDecoder.decodeError(status: 502, body: body(html))
        #expect(error.status == 502)
        #expect(error.shape == .notJSON)
        #expect(error.entries == [ErrorEntry(code: "bad_gateway", description: "not JSON: HTML page: 502 Bad Gateway", synthesized: true)])
        #expect(error.rawBody == html)
    }

    @Test("a plain string body and an empty body")
    func plainAndEmpty() {
        let plain = ResponseDecoder.decodeError(status: 503, body: body("\n  upstream connect error\nmore"))
        #expect(plain.entries == [ErrorEntry(code: "service_unavailable", description: "not JSON: upstream connect error", synthesized: true)])
        let empty = ResponseDecoder.decodeError(status: 500, body: [])
        #expect(empty.shape == .empty)
        #expect(empty.entries.map(\.code) == ["internal_server_error"])
    }

    @Test("truncated JSON is not JSON, and the raw text is kept")
    func truncatedJSON() {
        let text = "{\"errors\":[{\"code\":\"too_long\",\"descr"
        let error = ResponseDecoder.decodeError(status: 400, body: body(text))
        #expect(error.shape == .notJSON)
        #expect(error.entries.first?.code == "http_400")
        #expect(error.rawBody == text)
    }

    static let oddShapes: [(String, String, [String])] = [
        ("{\"errors\":{\"code\":\"x\"}}", "\"errors\" is not an array", ["not_found"]),
        ("{\"errors\":\"boom\"}", "\"errors\" is not an array", ["not_found"]),
        ("{\"errors\":[]}", "\"errors\" is empty", ["not_found"]),
        ("{\"message\":\"nope\"}", "JSON without an \"errors\" member", ["not_found"]),
        ("[1,2,3]", "JSON without an \"errors\" member", ["not_found"]),
        ("{\"errors\":[1,\"two\",null]}", "no entry of \"errors\" has a code", ["not_found"]),
        ("{\"errors\":[{\"description\":\"no code\"}]}", "no entry of \"errors\" has a code", ["not_found"]),
        ("{\"errors\":[{\"code\":\"not_found\"},{\"description\":\"x\"}]}", "1 of 2 entries of \"errors\" had no code",
         ["not_found", "not_found"]),
    ]

    @Test("JSON of the wrong shape becomes a visible entry", arguments: oddShapes)
    func oddShape(text: String, problem: String, codes: [String]) {
        let error = ResponseDecoder.decodeError(status: 404, body: body(text))
        #expect(error.shape == .nonstandardJSON)
        #expect(error.entries.first == ErrorEntry(code: "not_found", description: problem, synthesized: true))
        #expect(error.entries.map(\.code) == codes)
    }

    @Test("entries with wrong types keep what they can")
    func wrongTypes() {
        let error = ResponseDecoder.decodeError(status: 400, body: body("{\"errors\":[{\"code\":42,\"description\":[\"a\"]},{\"code\":\"required\"}]}"))
        #expect(error.shape == .standard)
        #expect(error.entries == [
            ErrorEntry(code: "42", description: "[…]"),
            ErrorEntry(code: "required", description: ""),
        ])
        let booleans = ResponseDecoder.decodeError(status: 400, body: body("{\"errors\":[{\"code\":true,\"description\":1.5}]}"))
        #expect(booleans.entries == [ErrorEntry(code: "true", description: "1.5")])
    }

    @Test("5 000 entries all decode")
    func manyEntries() {
        let entries = (0..<5_000).map { ("required", "Field 'f\($0)' is required.") }
        let error = ResponseDecoder.decodeError(status: 400, body: errorBody(entries))
        #expect(error.entries.count == 5_000)
        #expect(error.entries.last?.detail?.field == "f4999")
        #expect(error.rawBody.utf8.count <= APIError.rawBodyCap)
        #expect(error.rawBodyTruncated)
    }

    @Test("a 6 MB body is not parsed, and says so")
    func hugeBody() {
        let huge = [UInt8](repeating: UInt8(ascii: "a"), count: 6_000_000)
        let error = ResponseDecoder.decodeError(status: 500, body: huge)
        #expect(error.shape == .tooLarge)
        #expect(error.entries.first?.code == "internal_server_error")
        #expect(error.entries.first?.description.contains("6000000 bytes") == true)
        #expect(error.rawBody.utf8.count == APIError.rawBodyCap)
    }

    @Test("invalid UTF-8 does not crash and is kept lossily")
    func invalidUTF8() {
        let error = ResponseDecoder.decodeError(status: 500, body: [0xFF, 0xFE, 0x41])
        #expect(error.shape == .notJSON)
        #expect(error.rawBody.hasSuffix("A"))
    }

    @Test("success answers and the list envelope")
    func successAndList() throws {
        let text = "{\"media\":[{\"id\":\"a\"},{\"id\":\"b\"}],\"page\":1,\"page_length\":10,\"total\":541}"
        guard case .success(let status, let bytes) = ResponseDecoder.decode(status: 200, body: body(text)) else {
            Issue.record("a 200 must decode as success")
            return
        }
        #expect(status == 200)
        let list = try #require(ResponseDecoder.decodeList(bytes))
        #expect(list.resource == "media")
        #expect(list.items.count == 2)
        #expect(list.items.first?["id"]?.stringValue == "a")
        #expect(list.page == 1 && list.pageLength == 10 && list.total == 541)
        #expect(ResponseDecoder.decodeList(body("{\"page\":1}")) == nil)
        #expect(ResponseDecoder.decodeList(body("<html>")) == nil)
    }
}
