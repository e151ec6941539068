import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ManagementAPI
import NIOCore
import Testing

@Suite("The dashboard in tmux", .serialized)
struct DashboardEndToEndTests {
    func logFile() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-e2e-\(UUID().uuidString).log").path
    }

    /// The header clock (HH:MM:SS) as seconds of the day.
    func headerSeconds(_ screen: String) -> Int? {
        guard let header = screen.split(separator: "\n").first,
              let match = header.firstMatch(of: /(\d\d):(\d\d):(\d\d)/),
              let hours = Int(match.1), let minutes = Int(match.2), let seconds = Int(match.3)
        else { return nil }
        return hours * 3_600 + minutes * 60 + seconds
    }

    /// The token table's lines (between the header and the ERRORS title).
    func tokenLines(_ screen: String) -> [Substring] {
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
        guard let errors = lines.firstIndex(where: { $0.contains("ERRORS") }) else { return [] }
        return Array(lines[2..<errors])
    }

    @Test("demo: tokens with /60, every kind of error within a minute, filter, field details, pause, resizes, q")
    func demo() async throws {
        let tmux = try await Tmux(command: "\(Binary.quoted(Binary.path)) demo --seed 3 --log-file \(logFile()); echo __EXIT=$?",
                            width: 140, height: 40)
        defer { tmux.stop() }
        let started = await tmux.waitFor { $0.contains("/60") && $0.contains("steady") && $0.contains("bursty") }
        #expect(started.met, "\(started.screen)")
        let busy = await tmux.waitFor(timeout: .seconds(75)) { screen in
            ["429 rate_limit_exceeded", "400 Bad Request", "401 unauthorized", "403 forbidden", "limited"].allSatisfy(screen.contains)
        }
        #expect(busy.met, "\(busy.screen)")

        // The demo records through an embedded recorder: the header names its admin server,
        // and its journal holds the jobs' failed calls, field details included.
        let header = busy.screen.split(separator: "\n").first.map(String.init) ?? ""
        let admin = try #require(header.firstMatch(of: /recorder (127\.0\.0\.1:\d+)/).map { String($0.1) }, "\(header)")
        var journaled: [[String: Any]] = []
        let recorded = try await RecordClient.eventually {
            journaled = try await RecordClient.calls("http://" + admin)
            return journaled.contains { ($0["status"] as? Int) == 400 && "\($0)".contains("metadata.title") }
                && journaled.contains { ($0["status"] as? Int) == 429 }
        }
        #expect(recorded, "\(journaled.prefix(5))")

        await tmux.send("/")
        await tmux.type("code:too_long")
        await tmux.send("Enter")
        let filtered = await tmux.waitFor(timeout: .seconds(60)) { $0.contains("filter: code:too_long") && $0.contains("· too_long") }
        #expect(filtered.met, "\(filtered.screen)")
        let tree = filtered.screen.split(separator: "\n").drop { !$0.contains("ERRORS") }
        #expect(!tree.contains { $0.contains("rate_limit_exceeded") || $0.contains("unauthorized") || $0.contains("· required") })

        // Tab to the errors, open the too_long group and its newest call: the fields show.
        await tmux.send("Tab")
        await tmux.send("Down")
        await tmux.send("Enter")
        await tmux.send("Down")
        await tmux.send("Enter")
        let fields = await tmux.waitFor { $0.contains("metadata.title") && $0.contains("limit 255") && $0.contains("req ") }
        #expect(fields.met, "\(fields.screen)")

        await tmux.send("Z")
        let paused = await tmux.waitFor("PAUSED")
        #expect(paused.met)
        let frozen = tokenLines(paused.screen)
        // Until the header's own clock has run on 3 seconds (the demo's jobs call several
        // times a second meanwhile), every screen must show the table as it was.
        let pausedAt = try #require(headerSeconds(paused.screen), "\(paused.screen)")
        var changedWhilePaused: String?
        let clockMoved = await tmux.waitFor { screen in
            if tokenLines(screen) != frozen, screen.contains("PAUSED") { changedWhilePaused = screen }
            return headerSeconds(screen).map { ($0 - pausedAt + 86_400) % 86_400 >= 3 } ?? false
        }
        #expect(clockMoved.met, "\(clockMoved.screen)")
        #expect(changedWhilePaused == nil, "the token table changed while paused: \(changedWhilePaused ?? "")")
        await tmux.send("Z")
        let resumed = await tmux.waitFor { !$0.contains("PAUSED") && tokenLines($0) != frozen }
        #expect(resumed.met)

        for (width, height) in [(80, 24), (59, 20), (200, 50), (100, 30)] {
            await tmux.resize(width: width, height: height)
            let expected = width < 60 ? "terminal too small, need 60×15" : "/60"
            let shown = await tmux.waitFor { $0.contains(expected) }
            #expect(shown.met, "\(width)x\(height): \(shown.screen)")
        }

        await tmux.send("q")
        #expect(await tmux.exitStatus() == 0)
        #expect(await tmux.display("#{alternate_on}") == "0")
        #expect(await tmux.display("#{cursor_flag}") == "1")
    }

    /// What a hostile upstream puts in a 400: OSC titles (ESC and C1 forms), CSI cursor moves
    /// and clears (ESC and C1 forms), DEL, and bidi overrides and isolates.
    static let hostileBody = #"{"errors":[{"code":"too_long","description":"Field 'metadata.title' must be shorter than '255' characters. Value of '\u001b]0;pwned\u0007\u001b[2J\u001b[H\u202eevil' was provided."},{"code":"\u001b[31mred\u009b2J","description":"\u001b[10;10Hmoved\u2066iso\u2069 \u009d0;c1-title\u009c del\u007f end"}]}"#

    /// An upstream that answers every call with `hostileBody`, on a real loopback port.
    func hostileUpstream() -> some ApplicationProtocol {
        let router = Router()
        router.on("**", method: .get, use: Self.hostileAnswer)
        router.on("**", method: .post, use: Self.hostileAnswer)
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    @Sendable static func hostileAnswer(_: Request, _: some RequestContext) -> Response {
        var headers = HTTPFields()
        headers[HTTPField.Name("jw-request-limit")!] = "60"
        headers[HTTPField.Name("jw-request-remaining")!] = "7"
        headers[HTTPField.Name("jw-request-id")!] = "req-hostile"
        headers[.contentType] = "application/json"
        return Response(status: .badRequest, headers: headers, body: .init(byteBuffer: ByteBuffer(string: hostileBody)))
    }

    @Test("a hostile upstream, through the probes and the tap, can neither retitle the window nor move the cursor")
    func hostileUpstreamThroughProbesAndTap() async throws {
        try await hostileUpstream().test(.live) { server in
            let config = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-hostile-\(UUID().uuidString).toml").path
            try """
                api_base = "http://127.0.0.1:\(server.port!)"
                [[token]]
                label = "ingest"
                secret_env = "HOSTILE_SECRET"
                site_id = "Abcd1234"
                """.write(toFile: config, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: config) }
            // The shell titles the pane first: that proves this tmux lets a program retitle
            // it, so a title that stays put below means mapitop's output could not.
            let tmux = try await Tmux(
                command: "printf '\\033]2;before-mapitop\\033\\\\'; \(Binary.quoted(Binary.path)) watch --config \(config) --tap 127.0.0.1:0 --log-file \(logFile()); echo __EXIT=$?",
                width: 120, height: 40, environment: ["HOSTILE_SECRET": "hostile-test-secret-1"])
            defer { tmux.stop() }
            let started = await tmux.waitFor { $0.contains("tap 127.0.0.1:") && $0.contains("ingest") }
            #expect(started.met, "\(started.screen)")
            #expect(await tmux.display("#{pane_title}") == "before-mapitop")

            // A job of the user's calls through the embedded tap with a token the config does not name.
            let header = String(started.screen.split(separator: "\n").first ?? "")
            let tapPort = try #require(header.firstMatch(of: /tap 127\.0\.0\.1:(\d+)/).flatMap { Int($0.1) }, "\(header)")
            let callerSecret = "hostile-caller-secret-2"
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(tapPort)/v2/sites/Abcd1234/media/")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer " + callerSecret)
            request.body = .bytes(ByteBuffer(string: #"{"metadata":{"title":"x"}}"#))
            let answer = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
            #expect(answer.status.code == 400)
            let caller = Secret(callerSecret).fingerprint.description
            let seen = await tmux.waitFor { $0.contains("400 Bad Request") && $0.contains(caller) }
            #expect(seen.met, "\(seen.screen)")

            // Open the 400 group and its newest call (the tap's): the field errors show, escaped.
            await tmux.send("Tab")
            await tmux.send("Down")
            await tmux.send("Enter")
            await tmux.send("Down")
            await tmux.send("Enter")
            let detail = await tmux.waitFor { $0.contains("\\e]0;pwned\\u{7}") && $0.contains("\\u{9D}0;c1-title\\u{9C}") }
            #expect(detail.met, "\(detail.screen)")
            let screen = detail.screen
            for visible in ["\\e[2J\\e[H\\u{202E}evil", "\\e[10;10Hmoved\\u{2066}iso\\u{2069}", "del\\u{7F} end"] {
                #expect(screen.contains(visible), "\(visible) not shown: \(screen)")
            }
            #expect(await tmux.display("#{pane_title}") == "before-mapitop")

            // The layout held: header on the first row, the key help on the last, nothing
            // wider than the window, no text where a cursor move would have put it.
            let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.first?.hasPrefix(" mapitop") == true, "\(screen)")
            #expect(lines.count >= 40 && lines[39].contains("q quit"), "\(screen)")
            #expect(lines.allSatisfy { $0.count <= 120 })
            #expect(!lines.contains { $0.hasPrefix("         moved") })
            #expect(tokenLines(screen).contains { $0.contains("ingest") })
            #expect(!screen.contains("hostile-test-secret-1") && !screen.contains(callerSecret))
            // The tap served a call: q asks before the jobs lose it.
            await tmux.send("q")
            #expect(await tmux.waitFor("quit? y/N").met)
            await tmux.send("y")
            #expect(await tmux.exitStatus() == 0)
            #expect(await tmux.display("#{pane_title}") == "before-mapitop")
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
