import Foundation
import Hummingbird
import Wire

/// A 400 in the API's own error shape (`{"errors":[{"code","description"}]}`), so a viewer
/// decodes the recorder's refusals with the client's decoder. The description is one line.
struct AdminError: HTTPResponseError {
    let status: HTTPResponse.Status
    let code: String
    let description: String

    static func invalid(_ field: String, _ problem: String, provided: String) -> AdminError {
        let oneLine = provided.replacingOccurrences(of: "\n", with: " ")
        return AdminError(
            status: .badRequest, code: "invalid_format",
            description: "Field '\(field)' \(problem). Value of '\(oneLine)' was provided.")
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let json = WireFormat.encode(ErrorBody(errors: [ErrorBody.Entry(code: code, description: description)])) + "\n"
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }
}

/// The API's error body: `{"errors":[{"code","description"}]}`.
private struct ErrorBody: Encodable {
    struct Entry: Encodable {
        let code: String
        let description: String
    }

    let errors: [Entry]
}
