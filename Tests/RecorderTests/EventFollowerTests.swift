import AsyncHTTPClient
import Feed
import Foundation
import Hummingbird
import HummingbirdTesting
import Journal
import ManagementAPI
import Recorder
import Synchronization
import TestSupport
import Testing
import Wire

@Suite("Server-Sent Events parsing")
struct ServerSentEventParserTests {
    @Test("LF, CR LF and CR line ends, split anywhere; multi-line data; comments; the last id")
    func lines() throws {
        let text = "id: 7\nevent: call\ndata: {\"a\":1}\n\n: keep-alive\r\nid: 8\r\ndata: one\r\ndata: two\r\n\r\nid:9\rdata:x\r\r"
        var parser = ServerSentEventParser()
        var outputs: [ServerSentEventParser.Output] = []
        for byte in Array(text.utf8) { outputs += try parser.feed([byte]) }
        #expect(outputs == [
            .event(.init(id: "7", event: "call", data: "{\"a\":1}")),
            .comment("keep-alive"),
            .event(.init(id: "8", event: "message", data: "one\ntwo")),
            .event(.init(id: "9", event: "message", data: "x")),
        ])
    }

    @Test("the same stream fed whole, and split in two at every place, gives the same events")
    func splitAnywhere() throws {
        let text = "id: 7\nevent: call\ndata: {\"a\":1}\n\n: keep-alive\r\nid: 8\r\ndata: one\r\ndata: two\r\n\r\nid:9\rdata:x\r\r"
        let bytes = Array(text.utf8)
        var whole = ServerSentEventParser()
        let expected = try whole.feed(bytes)
        #expect(expected.count == 4)
        for cut in 0...bytes.count {
            var parser = ServerSentEventParser()
            let outputs = try parser.feed(bytes[..<cut]) + parser.feed(bytes[cut...])
            #expect(outputs == expected, "split at \(cut)")
        }
    }

    @Test("a line of exactly the limit is read, split across two chunks; one byte more is garbage")
    func limitAcrossChunks() throws {
        var parser = ServerSentEventParser(maxLine: 64)
        let line = Array("data: ".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 58)
        #expect(try parser.feed(line[..<30]).isEmpty)
        #expect(try parser.feed(line[30...] + [0x0A, 0x0A]).count == 1)
        var over = ServerSentEventParser(maxLine: 64)
        _ = try over.feed(line[..<30])
        #expect(throws: ServerSentEventParser.Garbled.self) { _ = try over.feed(line[30...] + [UInt8(ascii: "a"), 0x0A]) }
    }

    @Test("a line past the limit is garbage, said once, instead of memory")
    func longLine() {
        var parser = ServerSentEventParser(maxLine: 64)
        #expect(throws: ServerSentEventParser.Garbled.self) { _ = try parser.feed(Array(repeating: UInt8(ascii: "a"), count: 65)) }
    }

    @Test("data lines that never dispatch are garbage once they add up past the limit, however short each is")
    func endlessData() throws {
        var parser = ServerSentEventParser(maxLine: 64)
        // Within the limit, many short data lines make one event.
        #expect(try parser.feed(Array(String(repeating: "data: abc\n", count: 10).utf8) + [0x0A]).count == 1)
        let error = #expect(throws: ServerSentEventParser.Garbled.self) {
            _ = try parser.feed(Array(String(repeating: "data: abc\n", count: 1_000).utf8))
        }
        #expect(error?.description == "an event of the stream runs past 64 bytes of data")
    }
}

/// A viewer's follower against a real admin server: every event once, a restart of the
/// recorder resumed with Last-Event-ID without gap or duplicate, and a source it cannot read
/// shown as such.
@Suite("Recorder: following /v1/events")
struct EventFollowerTests {
    final class Collected: Sendable {
        private let state = Mutex<(events: [JournalEvent], states: [EventFollower.State])>(([], []))
        func add(_ event: JournalEvent) { state.withLock { $0.events.append(event) } }
        func add(_ new: EventFollower.State) { state.withLock { $0.states.append(new) } }
        var events: [JournalEvent] { state.withLock { $0.events } }
        var states: [EventFollower.State] { state.withLock { $0.states } }
    }

    static func server(_ folder: TemporaryFolder, _ writer: JournalWriter, port: Int) throws -> some ApplicationProtocol {
        let sources = AdminSources(writer: writer, reader: try JournalReader(path: folder.journal))
        var options = EventStreamOptions()
        options.pollInterval = .milliseconds(20)
        return buildAdminApplication(sources: sources, port: port, events: options)
    }

    @Test("every event once, in seq order, across a restart of the recorder on the same port")
    func resumesAcrossRestart() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try JournalWriter(path: folder.journal)
        for index in 0..<5 { writer.append(Fixtures.record(at: Double(index), status: 500)) }
        await writer.flush()
        let collected = Collected()
        let port = Shared<Int>(0)
        let follower = Shared<Task<Void, Never>?>(nil)
        try await Self.server(folder, writer, port: 0).test(.live) { client in
            port.update { $0 = client.port! }
            var configured = EventFollower(base: "http://127.0.0.1:\(client.port!)", httpClient: HTTPClient.shared)
            configured.backoff = [.milliseconds(100)]
            let running = configured
            let task = Task { await running.run(after: nil, deliver: { collected.add($0) }, state: { collected.add($0) }) }
            follower.update { $0 = task }
            #expect(await eventually { collected.events.filter { if case .call = $0 { true } else { false } }.count == 5 })
            #expect(collected.states.contains(.live))
        }
        // The recorder is gone: the follower says so, then more calls are journaled meanwhile.
        #expect(await eventually { collected.states.last.map { if case .unreachable = $0 { true } else { false } } ?? false })
        for index in 5..<8 { writer.append(Fixtures.record(at: Double(index), status: 500)) }
        await writer.flush()
        // The same port again (a live test would pick another): the follower finds it there.
        let restarted = try Self.server(folder, writer, port: port.current)
        let serving = Task { try await restarted.runService(gracefulShutdownSignals: []) }
        #expect(await eventually {
            collected.events.filter { if case .call = $0 { true } else { false } }.count == 8
        }, "states: \(collected.states)")
        serving.cancel()
        _ = await serving.result
        follower.current?.cancel()
        await follower.current?.value
        let seqs = collected.events.map(\.seq)
        #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count, "a gap or a duplicate: \(seqs)")
        let all = try JournalReader(path: folder.journal).events(after: 0, limit: 1_000).map(\.seq)
        #expect(seqs == all)
        await writer.close()
    }

    @Test("a source that answers HTML is unreadable, said with what it answered")
    func htmlSource() async throws {
        let router = Router()
        router.get("v1/events") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html"], body: .init(byteBuffer: ByteBuffer(string: "<html>hi</html>")))
        }
        let collected = Collected()
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
            let follower = EventFollower(base: "http://127.0.0.1:\(client.port!)", httpClient: HTTPClient.shared)
            let task = Task { await follower.run(after: nil, deliver: { collected.add($0) }, state: { collected.add($0) }) }
            #expect(await eventually {
                collected.states.contains { if case .unreadable(_, let reason) = $0 { reason.contains("text/html") } else { false } }
            })
            task.cancel()
            await task.value
        }
        #expect(collected.events.isEmpty)
    }

    @Test("a stream of another wire version is unreadable, not guessed at")
    func otherVersion() async throws {
        let router = Router()
        router.get("v1/events") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/event-stream"],
                     body: .init(byteBuffer: ByteBuffer(string: "id: 1\nevent: call\ndata: {\"v\":99,\"type\":\"call\"}\n\n")))
        }
        let collected = Collected()
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
            let follower = EventFollower(base: "http://127.0.0.1:\(client.port!)", httpClient: HTTPClient.shared)
            let task = Task { await follower.run(after: nil, deliver: { collected.add($0) }, state: { collected.add($0) }) }
            #expect(await eventually {
                collected.states.contains { if case .unreadable(_, let reason) = $0 { reason.contains("version 99") } else { false } }
            })
            task.cancel()
            await task.value
        }
    }
}
