import Foundation
import Hummingbird
import HummingbirdTesting
import Simulator
import Testing

/// Who is calling and where (issue 26, DESIGN.md section 12), with real processes: two
/// Python scripts of different names share one secret through the tap, and curl calls
/// through `CONNECT` with what `mapitop env` exports. The dashboard's Jobs and Routes views,
/// the `job:` filter, `/v1/calls`, an export and `/metrics` all name them.
@Suite("jobs and routes: real scripts through the tap, on screen and everywhere else")
struct JobsRoutesEndToEndTests {
    static let ops = RecordLoopbackTests.ops
    static let invalidMedia = RecordLoopbackTests.invalidMedia

    /// Reads calls through the tap (`sys.argv[1]`), the secret from the environment, never
    /// from the command line.
    static let catalogSync = """
        import os, sys, requests
        for page in range(8):
            r = requests.get(sys.argv[1] + "/v2/sites/Abcd1234/media/?page=%d" % (page + 1),
                             headers={"Authorization": "Bearer " + os.environ["JWP_SECRET_OPS"]}, timeout=60)
            assert r.status_code == 200, r.status_code
        print("ok")
        """
    /// Creates media with a body the API refuses: 400s with field errors.
    static let nightlyIngest = """
        import os, sys, requests
        for _ in range(3):
            r = requests.post(sys.argv[1] + "/v2/sites/Abcd1234/media/", data='\(invalidMedia)',
                              headers={"Authorization": "Bearer " + os.environ["JWP_SECRET_OPS"],
                                       "Content-Type": "application/json"}, timeout=60)
            assert r.status_code == 400, r.status_code
        print("ok")
        """

    @Test("two scripts and a CONNECT client: 2 shows each job with its calls and share, 3 the route with counts and percentiles, job: filters the errors; /v1/calls, an export and /metrics carry them")
    func acceptance() async throws {
        let simulator = buildApplication(SimulatorConfiguration(port: 0, seed: 26, tokens: [Self.ops], quotaPerMinute: 60))
        try await simulator.test(.live) { server in
            let home = try RecorderHome()
            defer { home.cleanUp() }
            let config = try RecordLoopbackTests.config(home, port: server.port!)
            let from = Date(timeIntervalSinceNow: -60)
            let recorder = try await RecorderProcess.start(home: home, tap: true, config: config)
            let tap = try #require(recorder.tapBase)
            let python = try PythonClients.python()
            let scripts = home.path + "/jobs"
            try FileManager.default.createDirectory(atPath: scripts, withIntermediateDirectories: true)
            let jobEnvironment = home.environment.merging(["JWP_SECRET_OPS": Self.ops.secret]) { $1 }
            for (name, code) in [("catalog-sync.py", Self.catalogSync), ("nightly-ingest.py", Self.nightlyIngest)] {
                try code.write(toFile: scripts + "/" + name, atomically: true, encoding: .utf8)
                let run = await Spawn.detached(python, [scripts + "/" + name, tap], environment: jobEnvironment)
                #expect(run.output.trimmingCharacters(in: .whitespacesAndNewlines) == "ok", "\(name): \(run.output)")
            }
            // curl through CONNECT, told nothing but what `mapitop env` exports.
            let env = await Spawn.detached(Binary.path, ["env"], environment: home.environment)
            let proxied = home.environment.merging(ProxyEnvironment.parse(env.output)) { $1 }
            for _ in 0..<2 {
                let curl = await Spawn.detached("curl", [
                    "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer \(Self.ops.secret)",
                    "https://api.jwplayer.com/v2/sites/Abcd1234/media/",
                ], environment: proxied)
                #expect(curl.output == "200", "\(curl.output)")
            }

            // /v1/calls: every call with its job and route (successes in their buckets' parts).
            var calls: [[String: Any]] = []
            let journaled = try await RecordClient.eventually {
                calls = try await RecordClient.calls(recorder.adminBase, from: from)
                let tapped = calls.filter { $0["source"] as? String == "tap" }
                return tapped.reduce(0) { $0 + (($1["count"] as? Int) ?? 1) } == 13
            }
            #expect(journaled, "\(calls)")
            let tapped = calls.filter { $0["source"] as? String == "tap" }
            // A call line names its job and route; a bucket line its parts, one per job and route.
            let named = tapped.flatMap { line -> [[String: Any]] in
                line["type"] as? String == "bucket" ? (line["parts"] as? [[String: Any]] ?? []) : [line]
            }
            var perJob: [String: Int] = [:]
            for part in named { perJob[part["job"] as? String ?? "none", default: 0] += (part["count"] as? Int) ?? 1 }
            #expect(perJob == ["catalog-sync.py": 8, "nightly-ingest.py": 3, "curl": 2], "\(tapped)")
            #expect(named.allSatisfy { $0["route"] as? String == "/v2/sites/{site_id}/media/" }, "\(tapped)")
            #expect(named.filter { $0["job"] as? String == "catalog-sync.py" }.allSatisfy { ($0["latencies"] as? String)?.isEmpty == false })

            // An export has them.
            let csv = await Spawn.detached(Binary.path, ["export", "--journal", home.journal, "--format", "csv", "--filter", "job:nightly-ingest.py"],
                                           environment: home.environment)
            #expect(csv.status == 0, "\(csv.output)")
            let rows = csv.output.split(separator: "\r\n")
            #expect(rows.first?.hasSuffix(",job,route") == true, "\(rows.first ?? "")")
            #expect(rows.dropFirst().count == 3 && rows.dropFirst().allSatisfy { $0.hasSuffix(",nightly-ingest.py,/v2/sites/{site_id}/media/") },
                    "\(csv.output)")

            // /metrics has the series.
            let metrics = try await RecordClient.call(recorder.adminBase + "/metrics").body
            for series in [#"job="catalog-sync.py",class="2xx"} 8"#, #"job="nightly-ingest.py",class="4xx"} 3"#, #"job="curl",class="2xx"} 2"#] {
                #expect(metrics.contains(#"mapitop_job_calls_total{token="ops","# + series), "no \(series) in\n\(metrics)")
            }

            // The dashboard, attached: 2 Jobs, 3 Routes, and job: on the errors.
            let variables = home.environment.map { "\($0.key)=\(Binary.quoted($0.value))" }.joined(separator: " ")
            let tmux = try await Tmux(command: "env \(variables) \(Binary.quoted(Binary.path)) watch; echo __EXIT=$?", width: 140, height: 40)
            defer { tmux.stop() }
            #expect(await tmux.waitFor { $0.contains("ops") }.met)
            await tmux.send("2")
            let jobs = await tmux.waitFor { screen in
                Self.row(screen, "catalog-sync.py")?.starts(with: ["catalog-sync.py", "ops", "8", "13%"]) == true
                    && Self.row(screen, "nightly-ingest.py")?.starts(with: ["nightly-ingest.py", "ops", "3", "5%", "3"]) == true
                    && Self.row(screen, "curl")?.starts(with: ["curl", "ops", "2", "3%"]) == true
            }
            #expect(jobs.met, "\(jobs.screen)")
            await tmux.send("3")
            let routes = await tmux.waitFor { screen in
                guard let get = Self.row(screen, "GET", then: "/v2/sites/{site_id}/media/"),
                    let post = Self.row(screen, "POST", then: "/v2/sites/{site_id}/media/")
                else { return false }
                // METHOD ROUTE CALLS/m CALLS 4xx 5xx P50 P95 P99: counts (the GETs with the probes'),
                // then three percentiles.
                return (Int(get[3]) ?? 0) >= 10 && post[3] == "3" && post[4] == "3" && get.suffix(3).allSatisfy { $0.hasSuffix("ms") }
            }
            #expect(routes.met, "\(routes.screen)")
            await tmux.send("1")
            await tmux.send("/")
            await tmux.type("job:nightly-ingest.py")
            await tmux.send("Enter")
            let filtered = await tmux.waitFor { $0.contains("filter: job:nightly-ingest.py") && $0.contains("required") }
            #expect(filtered.met, "\(filtered.screen)")
            await tmux.send("q")
            #expect(await recorder.terminate() == 0, "\(recorder.stderr)")
            #expect(!recorder.stderr.contains(Self.ops.secret) && !csv.output.contains(Self.ops.secret) && !metrics.contains(Self.ops.secret))
        }
    }

    /// The words of the screen line whose first word is `first` (and second `second`, if given).
    static func row(_ screen: String, _ first: String, then second: String? = nil) -> [String]? {
        for line in screen.split(separator: "\n") {
            let words = line.split(separator: " ").map(String.init)
            if words.first == first, second == nil || (words.count > 1 && words[1] == second) { return words }
        }
        return nil
    }
}
