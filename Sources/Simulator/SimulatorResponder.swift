import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Adapts `SimulatedAPI` to Hummingbird: reads the request (refusing bodies over the cap),
/// waits the answer's delay, and writes status, headers and body with a Content-Length,
/// gzip-compressed when the caller asks for it.
struct SimulatorResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let api: SimulatedAPI

    func respond(to request: Request, context: Context) async throws -> Response {
        var request = request
        var body: [UInt8] = []
        var tooLarge = false
        do {
            let buffer = try await request.collectBody(upTo: api.configuration.maxBodyBytes)
            body = Array(buffer.readableBytesView)
        } catch {
            tooLarge = true
        }
        var query: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
        let simulated = SimulatedRequest(
            method: request.method.rawValue, path: request.uri.path, query: query,
            authorization: request.headers[.authorization], body: body, bodyTooLarge: tooLarge)
        let answer = GzipAnswers.encode(api.respond(to: simulated), acceptEncoding: request.headers[.acceptEncoding])
        if answer.delay > .zero { try await Task.sleep(for: answer.delay) }
        var headers = HTTPFields()
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        return Response(status: .init(code: answer.status), headers: headers,
                        body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}
