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
            let decoded = ResponseDecoder.decode(status: status, body: body.bytes)
            var errors: [ErrorEntry] = []
            if case .failure(let apiError) = decoded { errors = apiError.entries }
            return finish(.status(status), rate: rate, errors: errors, decoded: decoded, truncated: body.truncated)
        } catch {
            let kind = TransportFailure.classify(error)
            let entry = ErrorEntry(code: kind.rawValue, description: kind.summary, synthesized: true)
            return finish(.transport(kind), rate: .unknown, errors: [entry], decoded: nil)
        }
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
