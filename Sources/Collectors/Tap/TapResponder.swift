import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ManagementAPI
import NIOCore
import NIOHTTP1

/// The tap: forwards every call to the upstream unchanged, returns the answer unchanged,
/// never retries, and records each call. Calls the tap itself must answer (upstream down
/// or slow, a body too large, a request it will not forward) get an answer in the API's
/// own error shape, and are recorded too.
struct TapResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let configuration: TapConfiguration
    let http: HTTPClient
    let clock: any WallClock
    let logger: Logger
    /// Takes each call on the answer's path: it must only queue, never wait.
    let sink: @Sendable (TappedCall) -> Void

    func respond(to request: Request, context: Context) async throws -> Response {
        let started = clock.now()
        let stopwatch = ContinuousClock.now
        let token = tokenReference(request.headers[.authorization])
        let method = request.method.rawValue
        let path = request.uri.path
        let query = request.uri.query
        // Set once the body is read; a call refused before that is recorded without one.
        var requestBody: ByteBuffer?

        func record(_ outcome: CallOutcome, rate: RateHeaders, errors: [ErrorEntry]) {
            let record = CallRecord(time: started, token: token, method: method, path: path, outcome: outcome,
                                    latency: ContinuousClock.now - stopwatch, rate: rate, errors: errors, source: .tap)
            sink(TappedCall(record: record, requestBody: requestBody, query: query))
        }

        func answer(_ status: HTTPResponse.Status, code: String, _ description: String) -> Response {
            let entry = ErrorEntry(code: code, description: description)
            record(.status(status.code), rate: .unknown, errors: [entry])
            let body = #"{"errors":[{"code":"\#(code)","description":\#(Self.jsonString(description))}]}"#
            return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }

        // The target is always appended to the upstream: an absolute URL arrives here as
        // its path alone (the HTTP layer keeps only that), so no call can go anywhere else.
        let target = request.head.path ?? "/"
        guard Self.isValidTarget(target) else {
            return answer(.badRequest, code: "invalid_request", "the request target is not a valid path; not forwarded")
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: configuration.maxRequestBody)
        } catch {
            return answer(.contentTooLarge, code: "payload_too_large",
                          "the request body is larger than the tap's \(configuration.maxRequestBody >> 20) MiB limit; not forwarded")
        }
        requestBody = body

        var upstreamRequest = HTTPClientRequest(url: configuration.upstream + target)
        upstreamRequest.method = HTTPMethod(rawValue: method)
        for (name, value) in HopByHop.filtered(request.headers) { upstreamRequest.headers.add(name: name, value: value) }
        if body.readableBytes > 0 || request.headers[.contentLength] != nil { upstreamRequest.body = .bytes(body) }

        let response: HTTPClientResponse
        do {
            response = try await http.execute(upstreamRequest, deadline: .now() + TimeAmount(configuration.upstreamTimeout))
        } catch {
            let failure = TransportFailure.classify(error)
            if failure == .timeout {
                return answer(.gatewayTimeout, code: "gateway_timeout",
                              "the tap gave up waiting for the upstream \(configuration.upstream) after \(configuration.upstreamTimeout)")
            }
            return answer(.badGateway, code: "bad_gateway", "the tap could not reach the upstream \(configuration.upstream): \(failure.summary)")
        }

        let status = Int(response.status.code)
        let rate = RateHeaders(headers: response.headers.map { ($0.name, $0.value) })
        var headers = HTTPFields()
        for (name, value) in response.headers where !HopByHop.names.contains(name.lowercased()) {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        if (200..<300).contains(status) {
            // Successes stream straight through: large lists never sit in memory here.
            // The upstream's Content-Length is kept, so the caller sees the answer unchanged.
            record(.status(status), rate: rate, errors: [])
            let upstreamBody = response.body
            let length = response.headers.first(name: "content-length").flatMap { Int($0) }
            return Response(status: .init(code: status), headers: headers, body: .init(contentLength: length) { writer in
                try await writer.write(upstreamBody)
                try await writer.finish(nil)
            })
        }
        // Errors are small; they are read whole so the record can say what went wrong.
        let bytes: ByteBuffer
        do {
            bytes = try await response.body.collect(upTo: configuration.maxRequestBody)
        } catch {
            return answer(.badGateway, code: "bad_gateway", "the upstream's answer could not be read: \(TransportFailure.classify(error).summary)")
        }
        // The caller gets the wire bytes as they came (gzip stays gzip); the record decodes a
        // copy, its Content-Encoding undone under the cap, so a gzip bomb costs at most that.
        // A plain body is copied only as far as it is parsed; a coded one is needed whole to
        // inflate (it is at most the 16 MiB the tap reads).
        let contentEncoding = response.headers.first(name: "content-encoding")
        let copied = ContentDecoding.codings(contentEncoding).isEmpty
            ? Array(bytes.readableBytesView.prefix(configuration.maxDecodedBody)) : Array(bytes.readableBytesView)
        let decoded = ResponseDecoder.decodeError(status: status, wireBody: copied, contentEncoding: contentEncoding,
                                                  limit: configuration.maxDecodedBody)
        record(.status(status), rate: rate, errors: decoded.entries)
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: bytes))
    }

    /// The fingerprint of the secret the call carries (Bearer or bare), labelled when the
    /// configuration knows it. The secret itself goes no further than this function.
    func tokenReference(_ authorization: String?) -> TokenReference {
        let value = (authorization ?? "").trimmingCharacters(in: .whitespaces)
        let secret = value.lowercased().hasPrefix("bearer ") ? String(value.dropFirst(7)).trimmingCharacters(in: .whitespaces) : value
        let fingerprint = Secret(secret).fingerprint
        return TokenReference(fingerprint: fingerprint, label: secret.isEmpty ? "(no token)" : configuration.labels[fingerprint])
    }

    /// A path and query of visible ASCII with well-formed percent escapes (RFC 3986).
    static func isValidTarget(_ target: String) -> Bool {
        let bytes = Array(target.utf8)
        guard bytes.first == UInt8(ascii: "/") else { return false }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte > 0x20, byte < 0x7F else { return false }
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count,
                    bytes[(index + 1)...(index + 2)].allSatisfy({ Character(Unicode.Scalar($0)).isHexDigit })
                else { return false }
                index += 2
            }
            index += 1
        }
        return true
    }

    static func jsonString(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return (try? String(decoding: encoder.encode(text), as: UTF8.self)) ?? "\"\""
    }
}
