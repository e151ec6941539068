import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// The core client: sends one request for one token and turns whatever happens into a
/// `CallRecord` plus the decoded answer. It never throws and never retries; callers decide
/// whether to call again (see `TokenPacer`).
public struct ManagementClient: Sendable {
    public struct Configuration: Sendable {
        public static let defaultBaseURL = "https://api.jwplayer.com"

        public var baseURL: String
        /// The whole call, connection to last byte of the body.
        public var requestTimeout: Duration
        /// Bodies are read up to this many bytes; the rest is discarded and noted.
        public var bodyCap: Int
        /// Past this many bytes in all, the body is abandoned (`bodyTooLarge`).
        public var discardLimit: Int

        public init(baseURL: String = Configuration.defaultBaseURL, requestTimeout: Duration = .seconds(30),
                    bodyCap: Int = 1 << 20, discardLimit: Int = 64 << 20)
        {
            self.baseURL = baseURL
            self.requestTimeout = requestTimeout
            self.bodyCap = bodyCap
            self.discardLimit = discardLimit
        }
    }

    /// The answer to one call: the record, and the decoded outcome when there was an answer.
    public struct Response: Sendable {
        public let record: CallRecord
        /// nil for a transport failure or a request that could not be built.
        public let outcome: ResponseDecoder.Outcome?
    }

    public let configuration: Configuration
    private let http: HTTPClient
    private let clock: any WallClock
    private let logger: Logger

    public init(configuration: Configuration = Configuration(), httpClient: HTTPClient = SharedHTTPClient.shared,
                clock: any WallClock = SystemClock(), logger: Logger)
    {
        self.configuration = configuration
        self.http = httpClient
        self.clock = clock
        self.logger = logger
    }

    public func send(_ request: APIRequest, token: Token, source: CallSource = .probe) async -> Response {
        let started = clock.now()
        let stopwatch = ContinuousClock.now
        let path = (try? request.resolvedPath()) ?? request.pathTemplate

        func finish(_ outcome: CallOutcome, rate: RateHeaders, errors: [ErrorEntry], decoded: ResponseDecoder.Outcome?,
                    truncated: Bool = false) -> Response
        {
            let record = CallRecord(time: started, token: token.reference, method: request.method, path: path,
                                    outcome: outcome, latency: ContinuousClock.now - stopwatch, rate: rate,
                                    errors: errors, source: source, bodyTruncated: truncated)
            log(record)
            return Response(record: record, outcome: decoded)
        }

        let url: String
        do {
            url = try request.url(base: configuration.baseURL)
        } catch {
            let entry = ErrorEntry(code: "invalid_request", description: error.description, synthesized: true)
            return finish(.transport(.other), rate: .unknown, errors: [entry], decoded: nil)
        }

        var httpRequest = HTTPClientRequest(url: url)
        httpRequest.method = HTTPMethod(rawValue: request.method)
        httpRequest.headers.add(name: "Authorization", value: "Bearer " + token.secret.revealForAuthorization())
        httpRequest.headers.add(name: "User-Agent", value: MapitopVersion.userAgent)
        httpRequest.headers.add(name: "Accept", value: "application/json")
        // Gateways compress when asked; asking, and undoing it here, means the decoding is
        // the same whichever HTTPClient was injected (the shared one never decompresses,
        // so the tap can pass bytes through unchanged).
        httpRequest.headers.add(name: "Accept-Encoding", value: ContentDecoding.acceptEncoding)
        if let body = request.body {
            httpRequest.headers.add(name: "Content-Type", value: "application/json")
            httpRequest.body = .bytes(ByteBuffer(bytes: body))
        }

        do {
            let deadline = NIODeadline.now() + TimeAmount(configuration.requestTimeout)
            let response = try await http.execute(httpRequest, deadline: deadline)
            let rate = RateHeaders(headers: response.headers.map { ($0.name, $0.value) })
            let status = Int(response.status.code)
            let body: BodyReader.Result
            do {
                body = try await BodyReader.read(response.body, cap: configuration.bodyCap,
                                                 discardLimit: configuration.discardLimit)
            } catch {
                let failure = TransportFailure.classify(error)
                let kind: TransportFailure = failure == .other ? .unreadableBody : failure
                let entry = ErrorEntry(code: kind.rawValue, description: "status \(status), then: \(kind.summary)", synthesized: true)
                return finish(.transport(kind), rate: rate, errors: [entry], decoded: nil)
            }
            var encoding = response.headers.first(name: "content-encoding")
            if ContentDecoding.codings(encoding).allSatisfy({ $0 == "gzip" || $0 == "x-gzip" }),
                !body.bytes.isEmpty, !body.bytes.starts(with: ContentDecoding.gzipMagic)
            {
                // Not gzip, whatever the header says: an injected HTTPClient with
                // `decompression: .enabled` inflates the body but keeps the header. Read it plain.
                encoding = nil
            }
            if ContentDecoding.codings(encoding).isEmpty {
                let decoded = ResponseDecoder.decode(status: status, body: body.bytes)
                var errors: [ErrorEntry] = []
                if case .failure(let apiError) = decoded { errors = apiError.entries }
                return finish(.status(status), rate: rate, errors: errors, decoded: decoded, truncated: body.truncated)
            }
            return finishEncoded(status: status, body: body, encoding: encoding, rate: rate, finish: finish)
        } catch {
            let kind = TransportFailure.classify(error)
            let entry = ErrorEntry(code: kind.rawValue, description: kind.summary, synthesized: true)
            return finish(.transport(kind), rate: .unknown, errors: [entry], decoded: nil)
        }
    }

    /// A compressed answer: undone under the body cap. Past the cap on the wire the stream
    /// is cut, so it is reported too large rather than corrupt; a 2xx that will not decode
    /// is an unreadable body, an error that will not decode keeps its status and says why.
    private func finishEncoded(
        status: Int, body: BodyReader.Result, encoding: String?, rate: RateHeaders,
        finish: (CallOutcome, RateHeaders, [ErrorEntry], ResponseDecoder.Outcome?, Bool) -> Response
    ) -> Response {
        let cap = configuration.bodyCap
        if (200..<300).contains(status) {
            guard !body.truncated else { return finish(.status(status), rate, [], .success(status: status, body: []), true) }
            do {
                let decoded = try ContentDecoding.decode(body.bytes, contentEncoding: encoding, limit: cap)
                return finish(.status(status), rate, [], .success(status: status, body: decoded.bytes), decoded.truncated)
            } catch {
                let entry = ErrorEntry(code: TransportFailure.unreadableBody.rawValue,
                                       description: "status \(status), then: \(error.description)", synthesized: true)
                return finish(.transport(.unreadableBody), rate, [entry], nil, false)
            }
        }
        let apiError = body.truncated
            ? ResponseDecoder.tooLarge(status: status, note: "the compressed body is larger than \(cap) bytes; not parsed", kept: [])
            : ResponseDecoder.decodeError(status: status, wireBody: body.bytes, contentEncoding: encoding, limit: cap)
        return finish(.status(status), rate, apiError.entries, .failure(apiError), body.truncated || apiError.shape == .tooLarge)
    }

    private func log(_ record: CallRecord) {
        var metadata: Logger.Metadata = [
            "token": "\(record.token.displayName)", "method": "\(record.method)", "path": "\(record.path)",
            "latency_ms": "\(record.latency.milliseconds)",
        ]
        switch record.outcome {
        case .status(let status): metadata["status"] = "\(status)"
        case .transport(let failure): metadata["transport"] = "\(failure.rawValue)"
        }
        if let remaining = record.rate.remaining { metadata["remaining"] = "\(remaining)" }
        logger.debug("call", metadata: metadata)
    }
}

extension Duration {
    /// Whole milliseconds, for logs and lines of text.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
