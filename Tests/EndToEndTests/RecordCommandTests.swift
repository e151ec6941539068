import AsyncHTTPClient
import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// `mapitop record` refusing to start, and what it tells a person who asks (`--help`, `info`).
@Suite("mapitop record: starting, refusing, info")
struct RecordCommandTests {
    @Test("--help documents every option")
    func help() async {
        let result = await Spawn.detached(Binary.path, ["record", "--help"])
        #expect(result.status == 0)
        for flag in ["--config", "--tap", "--admin", "--journal", "--retain", "--max-size", "--allow-remote"] {
            #expect(result.output.contains(flag), "\(flag) is not documented")
        }
        let top = await Spawn.detached(Binary.path, ["--help"])
        #expect(top.output.contains("record"), "record is not listed as a subcommand")
    }

    @Test("a second recorder on the same journal: one stderr line naming the first one's pid, exit 75, the first keeps running")
    func secondRecorderRefused() async throws {
        let home = try RecorderHome()
        defer { home.cleanUp() }
        let first = try await RecorderProcess.start(home: home)
        let second = try RecorderProcess.launch(home: home, arguments: ["--journal", home.journal])
        let status = await second.waitForExit()
        #expect(status == 75, "stderr: \(second.stderr)")
        let lines = second.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(lines)")
        #expect(second.stderr.contains("pid \(first.pid)"), "\(second.stderr)")
        #expect(second.stderr.contains(home.journal))
        #expect(second.stdout.isEmpty, "\(second.stdout)")

        // The refused one neither took the runtime file over nor disturbed the first.
        let runtime = try String(contentsOfFile: home.runtimeFile, encoding: .utf8)
        #expect(runtime.contains("\"pid\" : \(first.pid)"), "\(runtime)")
        let health = try await HTTPClient.shared.execute(HTTPClientRequest(url: first.adminBase + "/healthz"), timeout: .seconds(60))
        #expect(health.status == .ok)
        #expect(await first.terminate() == 0)
    }

    @Test("a hang-up (the SSH link that started it drops) stops it gracefully: exit 0, runtime file removed")
    func hangUpStopsGracefully() async throws {
        let home = try RecorderHome()
        defer { home.cleanUp() }
        let recorder = try await RecorderProcess.start(home: home)
        #expect(FileManager.default.fileExists(atPath: home.runtimeFile))
        recorder.signal(SIGHUP)
        #expect(await recorder.waitForExit() == 0, "stderr: \(recorder.stderr)")
        #expect(!FileManager.default.fileExists(atPath: home.runtimeFile))
    }

    /// (arguments, a config file's text or nil, what the one line must say)
    static let refused: [([String], String?, String)] = [
        (["--admin", "0.0.0.0:0"], nil, "--admin 0.0.0.0:0 is not a loopback address"),
        (["--tap", "0.0.0.0:0"], nil, "--tap 0.0.0.0:0 is not a loopback address"),
        (["--admin", "localhost"], nil, "--admin: expected HOST:PORT"),
        (["--retain", "7x"], nil, "--retain: expected a duration"),
        (["--retain", "0d"], nil, "--retain: expected a duration"),
        (["--max-size", "lots"], nil, "--max-size: expected a size"),
        (["--max-size=-1GiB"], nil, "--max-size: expected a size"),
        ([], "[tap]\nlisten = \"0.0.0.0:8787\"\n", "tap.listen 0.0.0.0:8787 is not a loopback address"),
    ]

    @Test("a non-loopback address without --allow-remote, or a bad limit: one line, exit 64, nothing opened", arguments: refused)
    func badUsage(arguments: [String], config: String?, message: String) async throws {
        let home = try RecorderHome()
        defer { home.cleanUp() }
        let configPath = try config.map { try home.write("config.toml", $0) }
        let process = try RecorderProcess.launch(home: home, config: configPath, arguments: arguments)
        let status = await process.waitForExit()
        #expect(status == 64, "stderr: \(process.stderr) stdout: \(process.stdout)")
        #expect(process.stderr.contains(message), "\(process.stderr)")
        #expect(process.stderr.split(separator: "\n").count == 1, "\(process.stderr)")
        #expect(!FileManager.default.fileExists(atPath: home.journal), "a refused recorder created the journal")
    }

    @Test("the configuration's [tap] listen runs a tap without --tap, and the start line names it")
    func tapFromConfig() async throws {
        let home = try RecorderHome()
        defer { home.cleanUp() }
        try await withRefusingPort { port in
            let config = try home.write("config.toml", "api_base = \"http://127.0.0.1:\(port)\"\n[tap]\nlisten = \"127.0.0.1:0\"\n")
            let process = try await RecorderProcess.start(home: home, config: config)
            let tap = try #require(process.tapBase, "no tap in the start line: \(process.stdout)")
            #expect(process.stdout.hasSuffix(" · tap \(tap) → http://127.0.0.1:\(port)\n"), "\(process.stdout)")
            let answer = try await RecordClient.call(tap + "/v2/webhooks/")
            #expect(answer.status == 502)
            #expect(await process.terminate() == 0)
        }
    }

    @Test("--allow-remote lets a non-loopback --admin listen")
    func remoteAllowed() async throws {
        let home = try RecorderHome()
        defer { home.cleanUp() }
        let process = try RecorderProcess.launch(home: home, arguments: ["--admin", "0.0.0.0:0", "--allow-remote"])
        try await process.waitUntilListening()
        let health = try await HTTPClient.shared.execute(HTTPClientRequest(url: process.adminBase + "/healthz"), timeout: .seconds(60))
        #expect(health.status == .ok)
        #expect(await process.terminate() == 0)
    }

    @Test("mapitop info shows the journal (absent, then its size and oldest record) and the live recorder with its /healthz, then none")
    func info() async throws {
        let home = try RecorderHome()
        defer { home.cleanUp() }
        func info() async -> String {
            let result = await Spawn.detached(Binary.path, ["info"], environment: home.environment)
            #expect(result.status == 0, "\(result.output)")
            return result.output
        }
        #expect(await info().contains("journal     \(home.journal) (absent)"))
        #expect(await info().contains("recorder    none running"))

        try await withRefusingPort { port in
            let recorder = try await RecorderProcess.start(home: home, tap: true, arguments: ["--api-base", "http://127.0.0.1:\(port)"])
            // A call the upstream refuses: a 502 the journal keeps in full.
            #expect(try await RecordClient.call(try #require(recorder.tapBase) + "/v2/webhooks/", secret: "info-secret-31337").status == 502)
            #expect(try await RecordClient.eventually { try await !RecordClient.calls(recorder.adminBase).isEmpty })

            let live = await info()
            #expect(live.contains("journal     \(home.journal) ("), "\(live)")
            #expect(live.contains("KiB, oldest record 20"), "\(live)")
            #expect(live.contains("recorder    pid \(recorder.pid) · journal \(home.journal) · admin http://127.0.0.1:\(recorder.adminPort) "
                + "· /healthz answers, journal ok"), "\(live)")
            #expect(live.contains("runtime     \(home.runtimeFile)"))
            #expect(!live.contains("info-secret-31337"))

            #expect(await recorder.terminate() == 0)
            let after = await info()
            #expect(after.contains("recorder    none running"), "\(after)")
            #expect(after.contains("oldest record 20"), "\(after)")
        }
    }
}
