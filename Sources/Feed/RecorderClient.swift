import AsyncHTTPClient
import Foundation
import Journal
import ManagementAPI
import Monitor
import NIOCore
import Wire

/// A recorder's admin server as a client sees it: `/healthz` for where its journal stands and
/// `/v1/calls` for a range, decoded back into journal values. A viewer loads its history from
/// it; `mapitop export --source` streams from it.
public struct RecorderClient: Sendable {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
        /// The answer was not a mapitop recorder's (HTML, another version, a garbled line),
        /// as opposed to no answer at all.
        public let unreadable: Bool
    }

    /// What `/healthz` says that a viewer needs.
    public struct Health: Sendable, Equatable {
        public let lastSeq: Int64
        /// The journal's first record; nil when it is empty.
        public let oldest: Date?
    }

    public let base: String
    public let httpClient: HTTPClient

    public init(base: String, httpClient: HTTPClient) {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
        self.httpClient = httpClient
    }

    /// `/healthz`, read whether it answers 200 or 503 (a journal dropping records still has
    /// a history to show).
    public func health(timeout: Duration = .seconds(5)) async throws(Failure) -> Health {
        let response = try await execute(base + "/healthz", timeout: timeout)
        guard response.status == .ok || response.status == .serviceUnavailable else {
            throw Failure(description: "\(base)/healthz answered HTTP \(response.status.code)", unreadable: true)
        }
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: 64 << 10)
        } catch {
            throw Failure(description: "\(base)/healthz: \(TransportFailure.classify(error).summary)", unreadable: false)
        }
        let decoded: HealthBody
        switch HealthBody.read(body.readableBytesView) {
        case .body(let read): decoded = read
        case .otherVersion(let version):
            throw Failure(description: "\(base) speaks wire format version \(version); this mapitop reads \(WireFormat.version)", unreadable: true)
        case .garbled:
            throw Failure(description: "\(base) is not a mapitop recorder (its /healthz is not one)", unreadable: true)
        }
        guard let oldestText = decoded.oldest else { return Health(lastSeq: decoded.lastSeq, oldest: nil) }
        do {
            return Health(lastSeq: decoded.lastSeq, oldest: try WireDecoding.time(oldestText))
        } catch {
            throw Failure(description: "\(base)/healthz: \(error.description)", unreadable: true)
        }
    }

    /// Every call and bucket of `from <= time < to` that `filter` matches, oldest first, each
    /// to `each` as it is read. `timeout` covers the whole transfer (AsyncHTTPClient's
    /// deadline), so a long range through `ssh -L` needs a generous one; a dead link is found
    /// by the client's own connect and read timeouts.
    public func calls(
        from: Date, to: Date, filter: Filter = .empty, timeout: Duration = .seconds(3_600),
        each: (JournalEvent) throws -> Void
    ) async throws {
        let query = [("from", WireFormat.time(from)), ("to", WireFormat.time(to)), ("filter", filter.description)]
            .map { $0.0 + "=" + Self.percentEncoded($0.1) }.joined(separator: "&")
        let response = try await execute(base + "/v1/calls?" + query, timeout: timeout)
        guard response.status == .ok else {
            let body = try? await response.body.collect(upTo: 4_096)
            let text = body.map { String(buffer: $0) } ?? ""
            throw Failure(description: "\(base)/v1/calls answered \(response.status.code): \(text.prefix(300))", unreadable: true)
        }
        var lines = LineSplitter()
        func decode(_ line: String) throws {
            let event: JournalEvent
            do {
                event = try WireDecoding.event(line)
            } catch {
                throw Failure(description: "\(base) sent a line this mapitop cannot read: \(error.description)", unreadable: true)
            }
            try each(event)
        }
        var body = response.body.makeAsyncIterator()
        while true {
            let chunk: ByteBuffer?
            do {
                chunk = try await body.next()
            } catch {
                // A transfer cut short is no answer, not a garbled one.
                throw Failure(description: "\(base): \(TransportFailure.classify(error).summary)", unreadable: false)
            }
            guard let chunk else { break }
            for line in lines.add(chunk) where !line.isEmpty { try decode(line) }
        }
        if let last = lines.finish() { try decode(last) }
    }

    private func execute(_ url: String, timeout: Duration) async throws(Failure) -> HTTPClientResponse {
        do {
            return try await httpClient.execute(HTTPClientRequest(url: url), timeout: TimeAmount(timeout))
        } catch {
            throw Failure(description: "\(base) does not answer: \(TransportFailure.classify(error).summary)", unreadable: false)
        }
    }

    /// Everything but RFC 3986's unreserved characters escaped, so `&`, `=`, `+` and spaces in
    /// a filter reach the server as themselves.
    static func percentEncoded(_ text: String) -> String {
        var unreserved = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: "\u{0}"..."\u{7F}"))
        unreserved.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }
}

/// Splits a streamed body into lines; a line longer than `maxLine` is cut there (the admin
/// server never sends one; a hostile source must not make the client hold an endless line).
struct LineSplitter {
    static let maxLine = 16 << 20
    private var partial: [UInt8] = []

    mutating func add(_ buffer: ByteBuffer) -> [String] {
        var lines: [String] = []
        // Line ends searched for, the text between them taken whole: megabytes of history a second.
        buffer.withUnsafeReadableBytes { bytes in
            var start = 0
            while let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
                keep(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                lines.append(String(decoding: partial, as: UTF8.self))
                partial.removeAll(keepingCapacity: true)
                start = end + 1
            }
            keep(UnsafeRawBufferPointer(rebasing: bytes[start...]))
        }
        return lines
    }

    /// Adds to the line in hand what still fits under `maxLine`; the rest is dropped.
    private mutating func keep(_ part: UnsafeRawBufferPointer) {
        partial.append(contentsOf: part.prefix(max(0, Self.maxLine - partial.count)))
    }

    mutating func finish() -> String? {
        defer { partial.removeAll() }
        return partial.isEmpty ? nil : String(decoding: partial, as: UTF8.self)
    }
}
