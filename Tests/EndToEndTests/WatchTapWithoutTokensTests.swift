import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import ManagementAPI
import Simulator
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("watch --tap with no [[token]] in the config")
struct WatchTapWithoutTokensTests {
    static let secret = "tap-only-secret-2718"

    /// A loopback port nobody listens on, outside the kernel's ephemeral range (so no
    /// parallel test's `bind(port: 0)` is handed it between this check and the tap's bind).
    func freePort() throws -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: 20_000..<30_000)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard descriptor >= 0 else { continue }
            defer { close(descriptor) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            if bound { return port }
        }
        throw PortError()
    }

    struct PortError: Error {}

    func call(_ port: Int) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v2/webhooks/")
        request.headers.add(name: "Authorization", value: "Bearer \(Self.secret)")
        return try await HTTPClient.shared.execute(request, timeout: .seconds(60))
    }

    @Test("the embedded tap stays up and answers calls, though there is nothing to probe")
    func tapStaysUp() async throws {
        let simulator = buildApplication(SimulatorConfiguration(port: 0, tokens: [SimulatedToken(label: "job", secret: Self.secret)]))
        try await simulator.test(.live) { server in
            let upstream = "http://127.0.0.1:\(server.port!)"
            let config = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-notokens-\(UUID().uuidString).toml").path
            try "api_base = \"\(upstream)\"\n".write(toFile: config, atomically: true, encoding: .utf8)
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-notokens-\(UUID().uuidString).log").path
            let port = try freePort()
            let tmux = try await Tmux(command: "\(Binary.quoted(Binary.path)) watch --config \(config) --tap 127.0.0.1:\(port) "
                                    + "--api-base \(upstream) --log-file \(log); echo __EXIT=$?", width: 120, height: 30)
            defer { tmux.stop() }
            let started = await tmux.waitFor { $0.contains("tap 127.0.0.1:\(port)") && $0.contains("ERRORS") }
            #expect(started.met, "\(started.screen)")

            // The first call may come before the tap listens: retry it until a deadline.
            let deadline = ContinuousClock.now + .seconds(60)
            var first: HTTPClientResponse?
            while first == nil, ContinuousClock.now < deadline {
                first = try? await call(port)
                if first == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(first?.status == .ok)
            // The call was recorded: its token shows, by fingerprint since no config names it.
            let fingerprint = Secret(Self.secret).fingerprint.description
            let recorded = await tmux.waitFor { $0.contains(fingerprint) }
            #expect(recorded.met, "\(recorded.screen)")
            // And the tap is still there afterwards, not just for a moment at start.
            let second = try? await call(port)
            #expect(second?.status == .ok)
            #expect(second?.headers.first(name: "jw-request-remaining") != nil)
            #expect(!(await tmux.capture().contains("__EXIT=")))

            // Jobs called through this window's tap a moment ago: q asks first, y quits.
            await tmux.send("q")
            #expect(await tmux.waitFor("jobs are calling through this tap — quit? y/N").met)
            #expect(!(await tmux.capture().contains("__EXIT=")))
            await tmux.send("y")
            #expect(await tmux.exitStatus() == 0)
        }
    }
}
