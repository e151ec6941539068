import Foundation
import ManagementAPI
import Testing
import TestSupport
@testable import Collectors

/// What the tap holds for its jobs is bounded whatever they do: how many connections are open,
/// how many request bytes are buffered across them, and how long a connection may send nothing.
@Suite("The tap's limits on its jobs' connections")
struct TapLimitTests {
    static let call = "GET /v2/webhooks/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"

    @Test("past maxConnections one more connection is answered 503 in the API's shape and closed; a place freed is taken again")
    func connectionCap() async throws {
        try await ScriptedUpstream.with(answer: { _ in .init() }) { upstream in
            try await withTap(upstream: upstream.url, adjust: { $0.maxConnections = 2 }) { port, _ in
                // Connections are opened and kept until one is refused: the test harness may hold
                // a place of its own, so the first refusal comes at the second or the third.
                var held: [RawConnection] = []
                var refused = ""
                for _ in 0..<3 {
                    let connection = try RawConnection(port: port)
                    connection.send("GET /v2/webhooks/ HTTP/1.1\r\nHost: x\r\n\r\n")
                    let answer = await connection.read(until: { $0.contains("\r\n\r\n") && ($0.hasPrefix("HTTP/1.1 200") || $0.contains("}]}")) })
                    guard answer.hasPrefix("HTTP/1.1 200") else {
                        refused = answer
                        break
                    }
                    held.append(connection)
                }
                #expect((1...2).contains(held.count), "\(held.count) connections were taken past a cap of 2")
                #expect(refused.hasPrefix("HTTP/1.1 503"), "\(refused)")
                #expect(refused.contains("the tap holds its limit of 2 connections"), "\(refused)")
                #expect(upstream.heads.count == held.count, "the refused connection's call went upstream")

                held.removeFirst()
                #expect(await eventually { (try? await rawRequest(port: port, Self.call))?.hasPrefix("HTTP/1.1 200") == true },
                        "a closed connection's place never came back")
                withExtendedLifetime(held) {}
            }
        }
    }

    @Test("request bodies past the tap's byte budget are answered 503 and not forwarded; a call without a body still goes through")
    func bufferedBytesCap() async throws {
        try await ScriptedUpstream.with(answer: { _ in .init(status: .created) }) { upstream in
            try await withTap(upstream: upstream.url, adjust: { $0.maxBufferedRequestBytes = 64 << 10 }) { port, sink in
                // Three slow uploads each send 40 KiB of their 100 KiB and stop: each fits the
                // 64 KiB budget alone, no two fit together, and none ends, so none lets go.
                let uploads = try (0..<3).map { _ in try RawConnection(port: port) }
                for upload in uploads {
                    upload.send("POST /v2/webhooks/ HTTP/1.1\r\nHost: x\r\nContent-Length: 102400\r\n\r\n" + String(repeating: "a", count: 40 << 10))
                }
                let refusedTwo = await eventually { uploads.filter { $0.readAvailable().contains("}]}") }.count == 2 }
                let answers = uploads.map(\.text)
                #expect(refusedTwo, "\(answers)")
                let refusals = answers.filter { $0.hasPrefix("HTTP/1.1 503") }
                #expect(refusals.count == 2, "\(answers)")
                #expect(refusals.allSatisfy { $0.contains("the tap holds its limit of 64 KiB of request bodies") }, "\(answers)")
                #expect(try await rawRequest(port: port, Self.call).hasPrefix("HTTP/1.1 201"))
                #expect(upstream.heads.map(\.method) == [.GET], "a refused or unfinished upload went upstream")
                await sink.wait(for: 3)
                #expect((await sink.settled()).map(\.outcome) == [.status(503), .status(503), .status(201)])
            }
        }
    }

    @Test("a head never finished, and a body that stalls, are closed after the client timeout; neither goes upstream or is recorded")
    func clientTimeout() async throws {
        try await ScriptedUpstream.with(answer: { _ in .init() }) { upstream in
            try await withTap(upstream: upstream.url, adjust: { $0.clientTimeout = .seconds(2) }) { port, sink in
                let halfHead = try RawConnection(port: port)
                halfHead.send("GET /v2/webhooks/ HTTP/1.1\r\nHost: x\r\nX-Half")
                #expect(await halfHead.closedByPeer(), "a half-sent head held its connection")

                let stalled = try RawConnection(port: port)
                stalled.send("POST /v2/webhooks/ HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"metadata\"")
                let answer = await stalled.read()
                #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer)")
                #expect(await stalled.closedByPeer())

                #expect(try await rawRequest(port: port, Self.call).hasPrefix("HTTP/1.1 200"))
                await sink.wait(for: 1)
                #expect((await sink.settled()).map(\.outcome) == [.status(200)])
                #expect(upstream.heads.count == 1)
            }
        }
    }
}
