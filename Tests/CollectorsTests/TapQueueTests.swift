import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ManagementAPI
import NIOCore
import Simulator
import Synchronization
import Testing
import TestSupport
@testable import Collectors

/// The tap hands its calls to the recorder through a bounded queue that never waits: under
/// 500 concurrent calls the recorder gets every one, or, when it cannot keep up, every call is
/// still answered and the queue counts exactly what it dropped.
@Suite("The tap's hand-over queue under 500 concurrent calls")
struct TapQueueTests {
    static let token = SimulatedToken(label: "load", secret: "tap-queue-secret-8123")
    static let calls = 500

    /// The upstream answers on NIO's threads alone: an in-process simulator would answer 500
    /// calls on the cooperative threads that every other test of the run shares.
    func withUpstream(_ body: @escaping @Sendable (ScriptedUpstream) async throws -> Void) async throws {
        try await ScriptedUpstream.with(answer: { _ in .init() }, body)
    }

    /// 500 calls at once through the tap; their statuses.
    func flood(_ tapPort: Int) async throws -> [Int: Int] {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: Self.calls)
        let client = HTTPClient(eventLoopGroup: .singletonMultiThreadedEventLoopGroup, configuration: configuration)
        do {
            // 500 tasks at once on a thread of their own, not in front of every other test's.
            let statuses = try await withTaskExecutorPreference(ThreadExecutor.flood) {
                try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<Self.calls {
                    group.addTask {
                        var request = HTTPClientRequest(url: "http://127.0.0.1:\(tapPort)/v2/webhooks/")
                        request.headers.add(name: "Authorization", value: "Bearer " + Self.token.secret)
                        let response = try await client.execute(request, timeout: .seconds(60))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        return Int(response.status.code)
                    }
                }
                var counts: [Int: Int] = [:]
                for try await status in group { counts[status, default: 0] += 1 }
                return counts
                }
            }
            try await client.shutdown()
            return statuses
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    @Test("with room in the queue, the recorder gets all 500 calls and nothing is dropped")
    func everyCallArrives() async throws {
        try await withUpstream { upstream in
            let sink = RecordSink()
            let queue = TapCallQueue()
            let configuration = TapConfiguration(host: "127.0.0.1", port: 0, upstream: upstream.url)
            let tap = Tap.application(configuration, logger: Logger(label: "tap-queue-test"), queue: queue) { sink.add($0.record) }
            try await running(tap) { port in
                let statuses = try await flood(port)
                #expect(statuses == [200: Self.calls], "\(statuses)")
                await sink.wait(for: Self.calls, timeout: .seconds(60))
                #expect(sink.all.count == Self.calls)
                #expect(queue.dropped == 0)
            }
        }
    }

    @Test("a recorder that cannot keep up: every call is still answered, and received plus dropped is exactly 500")
    func stalledRecorderCountsDrops() async throws {
        try await withUpstream { upstream in
            let sink = RecordSink()
            let gate = Gate()
            // Room for 40 calls; the recorder takes one, then stalls until the gate opens.
            let queue = TapCallQueue(capacity: 40)
            let configuration = TapConfiguration(host: "127.0.0.1", port: 0, upstream: upstream.url)
            let tap = Tap.application(configuration, logger: Logger(label: "tap-queue-test"), queue: queue) { call in
                sink.add(call.record)
                await gate.wait()
            }
            try await running(tap) { port in
                let statuses = try await flood(port)
                #expect(statuses == [200: Self.calls], "a full queue held back or failed answers: \(statuses)")
                #expect(queue.dropped > 0, "nothing was dropped: the recorder never stalled the queue")
                gate.open()
                let expected = Self.calls - queue.dropped
                await sink.wait(for: expected, timeout: .seconds(60))
                #expect(await eventually { queue.backlog == 0 })
                #expect(sink.all.count + queue.dropped == Self.calls, "received \(sink.all.count), dropped \(queue.dropped)")
            }
        }
    }
}
