import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("The dashboard in tmux", .serialized)
struct DashboardEndToEndTests {
    func logFile() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-e2e-\(UUID().uuidString).log").path
    }

    /// The token table's lines (between the header and the ERRORS title).
    func tokenLines(_ screen: String) -> [Substring] {
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
        guard let errors = lines.firstIndex(where: { $0.contains("ERRORS") }) else { return [] }
        return Array(lines[2..<errors])
    }

    @Test("demo: tokens with /60, every kind of error within a minute, filter, field details, pause, resizes, q")
    func demo() async throws {
        let tmux = try Tmux(command: "\(Binary.quoted(Binary.path)) demo --seed 3 --log-file \(logFile()); echo __EXIT=$?",
                            width: 120, height: 40)
        defer { tmux.stop() }
        let started = await tmux.waitFor { $0.contains("/60") && $0.contains("steady") && $0.contains("bursty") }
        #expect(started.met, "\(started.screen)")
        let busy = await tmux.waitFor(timeout: .seconds(75)) { screen in
            ["429 rate_limit_exceeded", "400 Bad Request", "401 unauthorized", "403 forbidden", "limited"].allSatisfy(screen.contains)
        }
        #expect(busy.met, "\(busy.screen)")
        #expect(tmux.display("#{pane_title}") != "pwned")

        tmux.send("/")
        tmux.type("code:too_long")
        tmux.send("Enter")
        let filtered = await tmux.waitFor(timeout: .seconds(60)) { $0.contains("filter: code:too_long") && $0.contains("· too_long") }
        #expect(filtered.met, "\(filtered.screen)")
        let tree = filtered.screen.split(separator: "\n").drop { !$0.contains("ERRORS") }
        #expect(!tree.contains { $0.contains("rate_limit_exceeded") || $0.contains("unauthorized") || $0.contains("· required") })

        // Tab to the errors, open the too_long group and its newest call: the fields show.
        tmux.send("Tab")
        tmux.send("Down")
        tmux.send("Enter")
        tmux.send("Down")
        tmux.send("Enter")
        let fields = await tmux.waitFor { $0.contains("metadata.title") && $0.contains("limit 255") && $0.contains("req ") }
        #expect(fields.met, "\(fields.screen)")

        tmux.send("Z")
        let paused = await tmux.waitFor("PAUSED")
        #expect(paused.met)
        let frozen = tokenLines(paused.screen)
        let clockMoved = await tmux.waitFor(timeout: .seconds(10)) { screen in
            screen.split(separator: "\n").first != paused.screen.split(separator: "\n").first
        }
        #expect(clockMoved.met)
        let stillFrozen = await tmux.waitFor(timeout: .seconds(3)) { tokenLines($0) != frozen }
        #expect(!stillFrozen.met, "the token table changed while paused")
        tmux.send("Z")
        let resumed = await tmux.waitFor(timeout: .seconds(20)) { !$0.contains("PAUSED") && tokenLines($0) != frozen }
        #expect(resumed.met)

        for (width, height) in [(80, 24), (59, 20), (200, 50), (100, 30)] {
            tmux.resize(width: width, height: height)
            let expected = width < 60 ? "terminal too small, need 60×15" : "/60"
            let shown = await tmux.waitFor { $0.contains(expected) }
            #expect(shown.met, "\(width)x\(height): \(shown.screen)")
        }

        tmux.send("q")
        #expect(await tmux.exitStatus() == 0)
        #expect(tmux.display("#{alternate_on}") == "0")
        #expect(tmux.display("#{cursor_flag}") == "1")
    }

    @Test("an upstream that sends escape sequences and bidi overrides cannot retitle the window or move the cursor")
    func hostileUpstream() async throws {
        let router = Router()
        router.get("/v2/sites/:site/media/") { _, _ in
            let body = #"{"errors":[{"code":"too_long","description":"Field 'metadata.title' must be shorter than '255' characters. Value of '\u001b]0;pwned\u0007\u001b[2J\u001b[H\u202eevil' was provided."},{"code":"\u001b[31mred","description":"\u001b[10;10Hmoved\u2066iso\u2069"}]}"#
            var headers = HTTPFields()
            headers[HTTPField.Name("jw-request-limit")!] = "60"
            headers[HTTPField.Name("jw-request-remaining")!] = "7"
            headers[HTTPField.Name("jw-request-id")!] = "\u{1B}]2;id-title\u{07}"
            headers[.contentType] = "application/json"
            return Response(status: .badRequest, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { server in
            let config = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-hostile-\(UUID().uuidString).toml").path
            try """
                api_base = "http://127.0.0.1:\(server.port!)"
                [[token]]
                label = "ingest"
                secret_env = "HOSTILE_SECRET"
                site_id = "Abcd1234"
                """.write(toFile: config, atomically: true, encoding: .utf8)
            let tmux = try Tmux(command: "\(Binary.quoted(Binary.path)) watch --config \(config) --log-file \(logFile()); echo __EXIT=$?",
                                width: 120, height: 40, environment: ["HOSTILE_SECRET": "hostile-test-secret-1"])
            defer { tmux.stop() }
            let shown = await tmux.waitFor(timeout: .seconds(45)) { $0.contains("400 Bad Request") }
            #expect(shown.met, "\(shown.screen)")
            tmux.send("Tab")
            tmux.send("Down")
            tmux.send("Enter")
            tmux.send("Down")
            tmux.send("Enter")
            let detail = await tmux.waitFor { $0.contains("\\e]0;pwned\\u{7}") }
            #expect(detail.met, "\(detail.screen)")
            let screen = detail.screen
            #expect(screen.contains("\\u{202E}evil"))
            #expect(tmux.display("#{pane_title}") != "pwned")
            #expect(tmux.display("#{pane_title}") != "id-title")
            let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.first?.hasPrefix(" mapitop") == true)
            #expect(!screen.contains("hostile-test-secret-1"))
            #expect(!lines.contains { $0.hasPrefix("         moved") })
            tmux.send("q")
            #expect(await tmux.exitStatus() == 0)
        }
    }

    @Test("a bad --filter is a usage error: one line, exit 64")
    func badFilter() async {
        let result = await Spawn.detached(Binary.path, ["watch", "--filter", "status:abc"])
        #expect(result.status == 64)
        #expect(result.output.split(separator: "\n").count == 1)
        #expect(result.output.contains("status must be a code from 100 to 599"))
    }
}
