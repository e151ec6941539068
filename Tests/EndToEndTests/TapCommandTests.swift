import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Simulator
import Testing
import TestSupport

@Suite("mapitop tap, headless")
struct TapCommandTests {
    static let secret = "tap-cli-secret-5150"

    @Test("one line per call on stdout, with codes and no secret")
    func lines() async throws {
        let app = buildApplication(SimulatorConfiguration(port: 0, tokens: [SimulatedToken(label: "ops", secret: Self.secret)]))
        try await app.test(.live) { server in
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-tap-\(UUID().uuidString).log").path
            let pid = Spawn.launch(Binary.path, ["tap", "--listen", "127.0.0.1:0", "--upstream", "http://127.0.0.1:\(server.port!)"],
                                   outputFile: output)
            #expect(pid > 0)
            defer {
                kill(pid, SIGTERM)
                try? FileManager.default.removeItem(atPath: output)
            }
            func text() -> String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }
            let deadline = ContinuousClock.now + .seconds(60)
            while !text().contains("listening on http://127.0.0.1:"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let banner = text()
            let port = try #require(banner.range(of: "127.0.0.1:").map { Int(banner[$0.upperBound...].prefix { $0.isNumber }) } ?? nil)
            for (path, body) in [("/v2/webhooks/", nil), ("/v2/sites/Abcd1234/media/", #"{"metadata":{"title":""},"upload":{}}"#)] {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
                request.headers.add(name: "Authorization", value: "Bearer " + Self.secret)
                if let body {
                    request.method = .POST
                    request.body = .bytes(.init(string: body))
                }
                _ = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
            }
            while text().split(separator: "\n").count < 3, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            let lines = text().split(separator: "\n").map(String.init)
            #expect(lines.count == 3, "\(lines)")
            #expect(lines.count > 2 && lines[1].contains(" GET /v2/webhooks/ 200 "))
            #expect(lines.count > 2 && lines[2].contains(" POST /v2/sites/Abcd1234/media/ 400 ") && lines[2].hasSuffix("required,empty"))
            #expect(!text().contains(Self.secret))
        }
    }

    /// Waits, with a deadline, until `condition` holds; false if it never did.
    func eventually(_ timeout: Duration = .seconds(60), _ condition: () -> Bool) async throws -> Bool {
        await TestSupport.eventually(within: timeout, condition)
    }

    @Test("--log-file: 0600, and after logrotate renames it a SIGHUP starts a new file; the tap keeps serving")
    func logFileReopenedOnHangUp() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-taplog-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let log = folder + "/tap.log"
        let output = folder + "/stdout"
        let pid = Spawn.launch(Binary.path, ["tap", "--listen", "127.0.0.1:0", "--upstream", "http://127.0.0.1:9", "--log-file", log],
                               outputFile: output)
        try #require(pid > 0)
        defer { kill(pid, SIGTERM) }
        func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        // Its own line on stdout comes once it traps its signals (SIGHUP included), after the log's.
        #expect(try await eventually { text(log).contains("listening") && text(output).contains("mapitop tap: listening on") },
                "log: \(text(log)) stdout: \(text(output))")
        let mode = try FileManager.default.attributesOfItem(atPath: log)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        try FileManager.default.moveItem(atPath: log, toPath: log + ".1")
        kill(pid, SIGHUP)
        // Nothing is logged meanwhile: only the reopen can create the new file.
        #expect(try await eventually { FileManager.default.fileExists(atPath: log) }, "no new log after SIGHUP")
        #expect(text(log + ".1").contains("listening"))

        // Still alive and serving: a call through it is answered (502: nothing at port 9).
        let banner = text(output)
        let port = try #require(banner.range(of: "127.0.0.1:").map { Int(banner[$0.upperBound...].prefix { $0.isNumber }) } ?? nil)
        let answer = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/v2/webhooks/"), timeout: .seconds(60))
        #expect(answer.status.code >= 500)
        #expect(kill(pid, 0) == 0)
    }

    @Test("a non-loopback --listen without --allow-remote exits 64 and says why")
    func remoteRefused() async {
        let result = await Spawn.detached(Binary.path, ["tap", "--listen", "0.0.0.0:8787"])
        #expect(result.status == 64)
        #expect(result.output.contains("not a loopback address"))
        #expect(result.output.split(separator: "\n").count == 1)
    }
}
