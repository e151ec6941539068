import AsyncHTTPClient
import Feed
import Foundation
import Journal
import Monitor
import NIOCore

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
    /// so these calls have none (their size is kept). `timeout` covers the whole transfer, so
    /// it is generous: a week through `ssh -L` takes a while.
    @discardableResult
    public func run(source: String, httpClient: HTTPClient, timeout: Duration = .seconds(3_600),
                    into sink: (String) throws -> Void) async throws -> Int {
        var writer = format.writer(apiBase: apiBase)
        var output = ChunkedOutput()
        try output.add(writer.begin(), to: sink)
        var count = 0
        do {
            try await RecorderClient(base: source, httpClient: httpClient).calls(from: from, to: to, filter: filter, timeout: timeout) { event in
                guard let exported = ExportedEvent(event) else { return }
                count += 1
                try output.add(writer.write(exported), to: sink)
            }
        } catch let failure as RecorderClient.Failure {
            throw Failure(description: failure.description)
        }
        try output.add(writer.end(), to: sink)
        try output.flush(to: sink)
        return count
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

