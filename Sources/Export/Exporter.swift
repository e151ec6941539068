import AsyncHTTPClient
import Foundation
import Journal
import Monitor
import NIOCore
import Recorder

/// Runs one export: events of a range from a journal file or a recorder's `/v1/calls`, the
/// filter, the format's writer, and a sink that takes the document piece by piece.
public struct Exporter: Sendable {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public let from: Date
    public let to: Date
    public let filter: Filter
    public let format: ExportFormat
    public let apiBase: String

    public init(from: Date, to: Date, filter: Filter, format: ExportFormat, apiBase: String) {
        self.from = from
        self.to = to
        self.filter = filter
        self.format = format
        self.apiBase = apiBase
    }

    /// From a journal file, read beside its writer (WAL readers need no lock), request bodies
    /// included. Returns the number of calls and buckets written.
    @discardableResult
    public func run(reader: JournalReader, into sink: (String) throws -> Void) async throws -> Int {
        var writer = format.writer(apiBase: apiBase)
        var output = ChunkedOutput()
        try output.add(writer.begin(), to: sink)
        var range = RangeReader(reader: reader, from: from, to: to, bodies: true)
        var count = 0
        while let event = try await range.next() {
            guard filter.matches(event), let exported = ExportedEvent(event) else { continue }
            try output.add(writer.write(exported), to: sink)
            count += 1
        }
        try output.add(writer.end(), to: sink)
        try output.flush(to: sink)
        return count
    }

    /// From a recorder's admin server (`--source URL`, typically through `ssh -L`): its
    /// `/v1/calls` for the range and filter, streamed. The wire never carries request bodies,
    /// so these calls have none (their size is kept).
    @discardableResult
    /// `timeout` covers the whole transfer (AsyncHTTPClient's deadline), so it is generous: a
    /// week through `ssh -L` takes a while; a dead link is found by the client's own timeouts.
    public func run(source: String, httpClient: HTTPClient, timeout: Duration = .seconds(3_600),
                    into sink: (String) throws -> Void) async throws -> Int {
        var base = source
        while base.hasSuffix("/") { base.removeLast() }
        let query = [("from", ExportTime.text(from)), ("to", ExportTime.text(to)), ("filter", filter.description)]
            .map { $0.0 + "=" + Self.percentEncoded($0.1) }.joined(separator: "&")
        let request = HTTPClientRequest(url: base + "/v1/calls?" + query)
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, timeout: TimeAmount(timeout))
        } catch {
            throw Failure(description: "\(base) does not answer: \(error)")
        }
        guard response.status == .ok else {
            let body = try? await response.body.collect(upTo: 4_096)
            let text = body.map { String(buffer: $0) } ?? ""
            throw Failure(description: "\(base)/v1/calls answered \(response.status.code): \(text.prefix(300))")
        }
        var writer = format.writer(apiBase: apiBase)
        var output = ChunkedOutput()
        try output.add(writer.begin(), to: sink)
        var lines = LineSplitter()
        var count = 0
        for try await chunk in response.body {
            for line in lines.add(chunk) where !line.isEmpty {
                try output.add(try write(line, &writer, &count), to: sink)
            }
        }
        if let last = lines.finish() { try output.add(try write(last, &writer, &count), to: sink) }
        try output.add(writer.end(), to: sink)
        try output.flush(to: sink)
        return count
    }

    /// Everything but RFC 3986's unreserved characters escaped, so `&`, `=`, `+` and spaces in
    /// a filter reach the server as themselves.
    static func percentEncoded(_ text: String) -> String {
        var unreserved = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: "\u{0}"..."\u{7F}"))
        unreserved.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    private func write(_ line: String, _ writer: inout any ExportWriter, _ count: inout Int) throws -> String {
        let event: JournalEvent
        do {
            event = try WireDecoding.event(line)
        } catch {
            throw Failure(description: "the source sent a line this export cannot read: \(error.description)")
        }
        guard let exported = ExportedEvent(event) else { return "" }
        count += 1
        return writer.write(exported)
    }
}

/// Collects the document's pieces and hands them on in chunks of about 64 KiB: one write
/// per call would make an export of a week a million system calls.
struct ChunkedOutput {
    private var pending = ""

    mutating func add(_ piece: String, to sink: (String) throws -> Void) throws {
        pending += piece
        if pending.utf8.count >= 64 << 10 { try flush(to: sink) }
    }

    mutating func flush(to sink: (String) throws -> Void) throws {
        guard !pending.isEmpty else { return }
        try sink(pending)
        pending = ""
    }
}

/// Splits a byte stream into lines at `\n`, a line at most 16 MiB (a longer one is an error
/// the decoder reports, not unbounded memory).
struct LineSplitter {
    static let maxLine = 16 << 20
    private var partial: [UInt8] = []

    mutating func add(_ buffer: ByteBuffer) -> [String] {
        var lines: [String] = []
        for byte in buffer.readableBytesView {
            if byte == UInt8(ascii: "\n") {
                lines.append(String(decoding: partial, as: UTF8.self))
                partial.removeAll(keepingCapacity: true)
            } else if partial.count < Self.maxLine {
                partial.append(byte)
            }
        }
        return lines
    }

    mutating func finish() -> String? {
        defer { partial.removeAll() }
        return partial.isEmpty ? nil : String(decoding: partial, as: UTF8.self)
    }
}
