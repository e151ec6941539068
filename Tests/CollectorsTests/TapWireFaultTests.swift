import Foundation
import ManagementAPI
import NIOHTTP1
import Testing
import TestSupport
@testable import Collectors

/// Jobs and upstreams that misbehave on the wire: garbage after a call, a refused upload that
/// never comes, an answer that stalls half way, a slow reader whose job has stopped sending.
@Suite("The tap on the wire, when a side misbehaves")
struct TapWireFaultTests {
    @Test("garbage after a call: the call is answered first, then the connection closes; garbage alone is a 400 in the API's shape")
    func garbage() async throws {
        try await ScriptedUpstream.with(answer: { _ in .init(status: .created) }) { upstream in
            try await withTap(upstream: upstream.url) { port, sink in
                let job = try RawConnection(port: port)
                job.send("POST /v2/webhooks/ HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}\u{01}\u{02} NOT HTTP\r\n\r\n")
                // More bytes after the garbage, likely while the call is still upstream: they
                // must not close the connection before its answer.
                job.send("and more\r\n")
                let answers = await job.read()
                #expect(answers.hasPrefix("HTTP/1.1 201"), "the call in flight was not answered first: \(answers)")
                #expect(occurrences(of: "HTTP/1.1", in: answers) == 1, "\(answers)")
                await sink.wait(for: 1)
                #expect((await sink.settled()).map(\.outcome) == [.status(201)])

                let alone = try RawConnection(port: port)
                alone.send("\u{01}\u{02} NOT HTTP\r\n\r\n")
                let refusal = await alone.read()
                #expect(refusal.hasPrefix("HTTP/1.1 400"), "\(refusal)")
                #expect(refusal.contains(#"{"errors":[{"code":"invalid_request""#))
                #expect(refusal.lowercased().contains("connection: close"))
                #expect(upstream.heads.count == 1, "garbage reached the upstream")
            }
        }
    }

    @Test("an upload refused at its head (Expect: 100-continue, too large) is a 413 that closes the connection; nothing goes upstream")
    func refusedUpload() async throws {
        try await ScriptedUpstream.with(answer: { _ in .init() }) { upstream in
            try await withTap(upstream: upstream.url, maxBody: 1_024) { port, sink in
                let job = try RawConnection(port: port)
                job.send("POST /v2/webhooks/ HTTP/1.1\r\nHost: x\r\nContent-Length: 20000000\r\nExpect: 100-continue\r\n\r\n")
                let answer = await job.read(until: { $0.contains("payload_too_large") && $0.hasSuffix("}]}") })
                #expect(answer.hasPrefix("HTTP/1.1 413"), "\(answer)")
                #expect(answer.lowercased().contains("connection: close"))
                #expect(await job.closedByPeer(), "the tap waited for a body the job will never send")
                await sink.wait(for: 1)
                #expect((await sink.settled()).map(\.outcome) == [.status(413)])
                #expect(upstream.heads.isEmpty)
            }
        }
    }

    @Test("a refused call pipelined behind another, then a half-close: both are answered in order and the connection closes")
    func refusedWhileHeld() async throws {
        try await ScriptedUpstream.with(answer: { _ in .init() }) { upstream in
            try await withTap(upstream: upstream.url) { port, sink in
                let job = try RawConnection(port: port)
                job.send("GET /v2/webhooks/ HTTP/1.1\r\nHost: x\r\n\r\nPOST /v2/%zz HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
                job.closeSending()
                let answers = await job.read(until: { $0.contains("invalid_request") && $0.hasSuffix("}]}") })
                #expect(answers.hasPrefix("HTTP/1.1 200"), "\(answers)")
                #expect(answers.contains("HTTP/1.1 400"))
                #expect(await job.closedByPeer(), "the refused call's rest was never read, and the connection stayed open")
                await sink.wait(for: 2)
                #expect((await sink.settled()).map(\.outcome) == [.status(200), .status(400)])
                #expect(upstream.heads.count == 1)
            }
        }
    }

    @Test("a job that leaves half way through its upload is neither forwarded nor recorded; an invalid target with Expect closes at once")
    func cutUpload() async throws {
        try await ScriptedUpstream.with(answer: { _ in .init() }) { upstream in
            try await withTap(upstream: upstream.url) { port, sink in
                let job = try RawConnection(port: port)
                job.send("POST /v2/webhooks/ HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly ten b")
                job.closeSending()
                #expect(await job.read() == "", "a cut request was answered")

                let waiting = try RawConnection(port: port)
                waiting.send("POST /v2/%zz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
                let refusal = await waiting.read(until: { $0.hasSuffix("}]}") })
                #expect(refusal.hasPrefix("HTTP/1.1 400"), "\(refusal)")
                #expect(await waiting.closedByPeer(), "the tap waited for a body the job will not send after a refusal")

                let next = try await rawRequest(port: port, "GET /v2/webhooks/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                #expect(next.hasPrefix("HTTP/1.1 200"))
                await sink.wait(for: 2)
                #expect((await sink.settled()).map(\.outcome) == [.status(400), .status(200)], "the cut upload was recorded")
                #expect(upstream.heads.count == 1)
            }
        }
    }

    @Test("a success whose body stalls half way is cut after the upstream timeout, and the tap goes on serving")
    func stalledAnswer() async throws {
        try await ScriptedUpstream.with(answer: { head in
            head.uri.hasPrefix("/stall") ? .init(body: "{\"media\":", declaredLength: 1_000, stall: true) : .init()
        }) { upstream in
            // The timeout also bounds the wait for the head, which comes at once; 2 s leaves a
            // loaded machine room for that, and the stall still ends by the timeout alone.
            try await withTap(upstream: upstream.url, timeout: .seconds(2)) { port, sink in
                let job = try RawConnection(port: port)
                job.send("GET /stall/ HTTP/1.1\r\nHost: x\r\n\r\n")
                let answer = await job.read(until: { $0.hasSuffix("{\"media\":") })
                #expect(answer.hasPrefix("HTTP/1.1 200"))
                #expect(await job.closedByPeer(), "a stalled answer held the job's connection open")
                await sink.wait(for: 1)
                #expect((await sink.settled()).map(\.outcome) == [.status(200)])
                let next = try await rawRequest(port: port, "GET /v2/webhooks/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                #expect(next.hasPrefix("HTTP/1.1 200"))
            }
        }
    }

    @Test("a slow reader that stopped sending gets all of a 2 MiB answer, through backpressure, before the tap closes")
    func slowReaderGetsEverything() async throws {
        // 2 MiB to a job with a tiny receive buffer that has already closed its sending side:
        // the tap pauses the upstream while the job lags, and closes only after the end.
        let size = 2 << 20
        try await ScriptedUpstream.with(answer: { _ in .init(body: String(repeating: "x", count: size)) }) { upstream in
            try await withTap(upstream: upstream.url) { port, _ in
                let job = try RawConnection(port: port, receiveBuffer: 2_048)
                job.send("GET /v2/webhooks/ HTTP/1.1\r\nHost: x\r\n\r\n")
                job.closeSending()
                let answer = await job.read()
                let body = answer.utf8.count - (answer.range(of: "\r\n\r\n").map { answer.utf8.distance(from: answer.startIndex, to: $0.upperBound) } ?? 0)
                #expect(body == size, "the job got \(body) of \(size) bytes before the tap closed")
            }
        }
    }
}
