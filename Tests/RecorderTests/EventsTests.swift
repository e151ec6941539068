import Foundation
import Hummingbird
import HummingbirdTesting
import Journal
import ManagementAPI
import Recorder
import Testing
import TestSupport

@Suite("Recorder: /v1/events (Server-Sent Events)")
struct EventsTests {
    /// Rows of every kind: calls (with figures), buckets, tokens.
    static func journal(_ folder: TemporaryFolder, calls: Int = 12) async throws -> JournalWriter {
        let writer = try JournalWriter(path: folder.journal)
        for index in 0..<calls {
            let token = index.isMultiple(of: 3) ? Fixtures.beta : Fixtures.alpha
            writer.append(Fixtures.record(at: Double(index), token: token, status: index.isMultiple(of: 4) ? 200 : 500, limit: 60, remaining: 60 - index))
        }
        await writer.flush()
        return writer
    }

    static func serve(
        _ writer: JournalWriter, _ folder: TemporaryFolder, events: EventStreamOptions = EventStreamOptions(),
        _ body: @escaping @Sendable (Int) async throws -> Void
    ) async throws {
        let sources = AdminSources(writer: writer, reader: try JournalReader(path: folder.journal))
        let app = buildAdminApplication(sources: sources, port: 0, events: events)
        try await app.test(.live) { client in try await body(try #require(client.port)) }
    }

    @Test("since=SEQ streams every row after SEQ, in seq order, with its kind and a v 1 JSON line")
    func afterSince() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try await Self.journal(folder)
        let all = try JournalReader(path: folder.journal).events(after: 0, limit: 10_000)
        let since = all[4].seq
        let expected = all.filter { $0.seq > since }
        try await Self.serve(writer, folder) { port in
            let client = try RawHTTPClient(port: port)
            client.get("/v1/events?since=\(since)")
            try #require(await client.read { _ in client.events.count >= expected.count })
            #expect(client.received.hasPrefix("HTTP/1.1 200"))
            #expect(client.received.lowercased().contains("content-type: text/event-stream"))
            #expect(client.events.map(\.id) == expected.map(\.seq))
            #expect(client.events.map(\.event) == expected.map(\.kind))
            #expect(Set(client.events.map(\.event)) == Set(expected.map(\.kind)))
            for event in client.events {
                let line = try object(event.data)
                #expect(line["v"] as? Int == 1)
                #expect(line["seq"] as? Int64 == event.id)
            }
        }
        await writer.close()
    }

    @Test("Last-Event-ID resumes after that id, over since: no gap, no duplicate")
    func resume() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try await Self.journal(folder)
        let all = try JournalReader(path: folder.journal).events(after: 0, limit: 10_000).map(\.seq)
        try await Self.serve(writer, folder) { port in
            let first = try RawHTTPClient(port: port)
            first.get("/v1/events?since=0")
            try #require(await first.read { _ in first.events.count >= 5 })
            let seen = Array(first.events.prefix(5).map(\.id))

            // A reconnecting EventSource sends its original URL and the last id it saw.
            let second = try RawHTTPClient(port: port)
            second.get("/v1/events?since=0", headers: ["Last-Event-ID": "\(seen.last!)"])
            try #require(await second.read { _ in seen.count + second.events.count >= all.count })
            #expect(seen + second.events.map(\.id) == all)
            #expect(Set((first.events + second.events).map(\.event)) == ["call", "figure", "token"])
        }
        await writer.close()
    }

    @Test("rows written after the connection opened arrive live")
    func live() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try await Self.journal(folder, calls: 2)
        let before = try JournalReader(path: folder.journal).events(after: 0, limit: 10_000)
        try await Self.serve(writer, folder) { port in
            let client = try RawHTTPClient(port: port)
            client.get("/v1/events")
            try #require(await client.read { _ in client.events.count >= before.count })
            writer.append(Fixtures.record(at: 100, token: Fixtures.beta, status: 503))
            await writer.flush()
            let after = try JournalReader(path: folder.journal).events(after: before.last!.seq, limit: 100)
            try #require(after.contains { $0.kind == "call" })
            #expect(await client.read { _ in client.events.count >= before.count + after.count })
            #expect(client.events.map(\.id) == (before + after).map(\.seq))
            let last = try object(client.events.last { $0.event == "call" }!.data)
            #expect(last["status"] as? Int == 503)
        }
        await writer.close()
    }

    @Test("a quiet stream sends ': keep-alive' at the (injected) interval")
    func keepAlive() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try JournalWriter(path: folder.journal)
        var options = EventStreamOptions()
        options.keepAliveInterval = .milliseconds(100)
        options.pollInterval = .milliseconds(20)
        try await Self.serve(writer, folder, events: options) { port in
            let client = try RawHTTPClient(port: port)
            client.get("/v1/events")
            let count = { client.comments.filter { $0 == "keep-alive" }.count }
            #expect(await client.read { _ in count() >= 2 })
        }
        await writer.close()
    }

    @Test("past maxClients streams one more is refused with a 503 in the API's error shape; a stream that ends gives its slot back")
    func clientCap() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try JournalWriter(path: folder.journal)
        var options = EventStreamOptions()
        options.maxClients = 2
        // A stream learns its client left when a write fails: keep-alives make that soon.
        options.keepAliveInterval = .milliseconds(200)
        options.pollInterval = .milliseconds(20)
        try await Self.serve(writer, folder, events: options) { port in
            var open: [RawHTTPClient] = []
            for _ in 0..<2 {
                let client = try RawHTTPClient(port: port)
                client.get("/v1/events")
                #expect(await client.read { _ in client.comments.contains("open") })
                open.append(client)
            }
            let refused = try RawHTTPClient(port: port)
            refused.get("/v1/events")
            #expect(await refused.read { $0.contains("\r\n\r\n") && $0.contains("service_unavailable") }, "\(refused.received)")
            #expect(refused.received.hasPrefix("HTTP/1.1 503"), "\(refused.received)")
            // One viewer leaves: its slot comes back once the server sees it gone.
            open.removeFirst()
            let admitted = await eventually {
                guard let client = try? RawHTTPClient(port: port) else { return false }
                client.get("/v1/events")
                return await client.read(within: .seconds(1)) { _ in client.comments.contains("open") }
            }
            #expect(admitted, "the slot of a stream that ended never came back")
        }
        await writer.close()
    }

    @Test("a client that does not read is dropped; its queue never grows past the buffer")
    func slowClientDropped() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try JournalWriter(path: folder.journal)
        // About 6 MB of events: far more than the socket buffers hold.
        let description = String(repeating: "x", count: 2_000)
        for index in 0..<3_000 {
            writer.append(Fixtures.record(at: Double(index) / 100, status: 500, errors: [ErrorEntry(code: "boom", description: description)]))
        }
        await writer.flush()
        let lastSeq = try #require(try JournalReader(path: folder.journal).events(after: 0, limit: 10_000).last?.seq)
        let dropped = Shared<[Int64]>([])
        var options = EventStreamOptions()
        options.clientBuffer = 8
        options.stallTimeout = .milliseconds(300)
        options.onDrop = { seq in dropped.update { $0.append(seq) } }
        try await Self.serve(writer, folder, events: options) { port in
            let client = try RawHTTPClient(port: port, receiveBuffer: 4_096)
            client.get("/v1/events")
            #expect(await eventually { !dropped.current.isEmpty })
            let queued = try #require(dropped.current.first)
            #expect(queued < lastSeq)
            // The server closed the connection: reading drains what was in flight, then ends.
            #expect(await client.read { _ in false } == false)
            #expect(client.closedByServer)
            #expect(client.events.count < 3_000)
        }
        await writer.close()
    }

    @Test("a client that reads keeps up through the same volume and is not dropped")
    func readingClientKept() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try JournalWriter(path: folder.journal)
        let description = String(repeating: "x", count: 2_000)
        for index in 0..<1_000 {
            writer.append(Fixtures.record(at: Double(index) / 100, status: 500, errors: [ErrorEntry(code: "boom", description: description)]))
        }
        await writer.flush()
        let total = try JournalReader(path: folder.journal).events(after: 0, limit: 10_000).count
        let dropped = Shared<[Int64]>([])
        var options = EventStreamOptions()
        options.clientBuffer = 8
        // Far longer than any pause of this test's reads: only a reader that stopped is dropped.
        options.stallTimeout = .seconds(30)
        options.onDrop = { seq in dropped.update { $0.append(seq) } }
        try await Self.serve(writer, folder, events: options) { port in
            let client = try RawHTTPClient(port: port)
            client.get("/v1/events")
            #expect(await client.read { _ in client.events.count >= total })
            #expect(dropped.current.isEmpty)
        }
        await writer.close()
    }

    @Test("a bad since or Last-Event-ID is a 400 naming it")
    func badSince() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try JournalWriter(path: folder.journal)
        let sources = AdminSources(writer: writer, reader: try JournalReader(path: folder.journal))
        try await Application(router: AdminServer.router(sources: sources)).test(.live) { client in
            try await client.execute(uri: "/v1/events?since=abc", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("'since'"))
            }
            try await client.execute(uri: "/v1/events", method: .get, headers: [.init("Last-Event-ID")!: "-1"]) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("'Last-Event-ID'"))
            }
        }
        await writer.close()
    }
}

/// Keeps a client's socket open past the closure that made it.
private final class ClientHolder: @unchecked Sendable {
    var client: RawHTTPClient?
}

@Suite("Recorder: /v1/events and shutdown")
struct EventsShutdownTests {
    /// Serves `writer`'s journal to one client that reads the stream's opening, then stops
    /// reading; the server then shuts down gracefully. True when all of it ended within `limit`.
    static func shutDown(
        _ writer: JournalWriter, _ folder: TemporaryFolder, _ options: EventStreamOptions, within limit: Duration,
        readingUntil opened: @escaping @Sendable (RawHTTPClient) -> Bool
    ) async throws -> Bool {
        let holder = ClientHolder()
        defer { holder.client = nil }
        return try await finishes(within: limit) {
            try await EventsTests.serve(writer, folder, events: options) { port in
                let client = try RawHTTPClient(port: port, receiveBuffer: 4_096)
                holder.client = client
                client.get("/v1/events")
                try #require(await client.read { _ in opened(client) })
            }
        }
    }

    @Test("shutting down with a client that stopped reading ends within the stall timeout")
    func shutdownWithStalledClient() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try JournalWriter(path: folder.journal)
        let description = String(repeating: "x", count: 2_000)
        for index in 0..<3_000 {
            writer.append(Fixtures.record(at: Double(index) / 100, status: 500, errors: [ErrorEntry(code: "boom", description: description)]))
        }
        await writer.flush()
        var options = EventStreamOptions()
        // A buffer that holds everything: the feed never stalls, so only shutdown can end it.
        options.clientBuffer = 10_000
        options.stallTimeout = .seconds(1)
        // Well under the 10 s default stall timeout: the 1 s one set here is the one that ended it.
        #expect(try await Self.shutDown(writer, folder, options, within: .seconds(8)) { $0.comments.contains("open") })
        await writer.close()
    }

    @Test("shutting down while the response's end waits behind unsent bytes ends within the stall timeout")
    func shutdownWithEndUnsent() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try JournalWriter(path: folder.journal)
        // One event larger than the kernel's send buffer (4 MiB at most) and NIO's 64 KiB
        // high-water mark together: its write is taken at once, since the socket was writable,
        // and leaves it unwritable. Nothing is left to drain, so the write that waits on the
        // client is the response's end, which comes after the feed has stopped.
        let description = String(repeating: "x", count: 8 << 20)
        writer.append(Fixtures.record(status: 500, errors: [ErrorEntry(code: "boom", description: description)]))
        await writer.flush()
        var options = EventStreamOptions()
        options.stallTimeout = .seconds(1)
        // A few kilobytes of the event arrived: its write was taken.
        #expect(try await Self.shutDown(writer, folder, options, within: .seconds(8)) { $0.bytesRead > 8_192 })
        await writer.close()
    }
}
