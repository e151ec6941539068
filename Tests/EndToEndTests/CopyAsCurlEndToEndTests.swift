import Foundation
import Simulator
import Testing
import TestSupport

/// `y` in the real binary, in tmux: the demo's 400 goes to tmux's paste buffer through OSC 52,
/// and the copied command, run by a shell with the job's secret in `JWP_SECRET_<LABEL>` and a
/// real curl, gets the same 400 from the demo's simulator. The demo runs with no injected
/// faults: a replay that drew the simulator's random 500 would say nothing about the copy.
@Suite("y: copy a call as curl, in tmux")
struct CopyAsCurlEndToEndTests {
    @Test("y on a 400 fills tmux's buffer through OSC 52; pasted into a shell with the secret set, curl gets the same 400 and field codes")
    func copyAndReplay() async throws {
        let seed: UInt64 = 3
        let tmux = try await Tmux(command: "\(Binary.quoted(Binary.path)) demo --seed \(seed) --fault-rate 0; echo __EXIT=$?", width: 140, height: 45)
        defer { tmux.stop() }
        // tmux takes an application's OSC 52 into a paste buffer only with set-clipboard on.
        await tmux.tmux(["set-option", "-g", "set-clipboard", "on"])
        let busy = await tmux.waitFor(timeout: .seconds(75)) { $0.contains("400 Bad Request") }
        #expect(busy.met, "\(busy.screen)")
        let header = busy.screen.split(separator: "\n").first.map(String.init) ?? ""
        let admin = try #require(header.firstMatch(of: /recorder (127\.0\.0\.1:\d+)/).map { String($0.1) }, "\(header)")

        await tmux.send("/")
        // POSTs only: the sloppy job's GETs get 400s too, and a bodiless GET proves nothing
        // about the journaled body travelling with the copy.
        await tmux.type("method:POST status:400")
        await tmux.send("Enter")
        #expect(await tmux.waitFor("filter: method:POST status:400").met)
        await tmux.send("Tab")
        await tmux.send("Down")
        await tmux.send("Enter")
        await tmux.send("Down")
        await tmux.send("y")
        let copied = await tmux.waitFor("copied as curl (OSC 52)")
        #expect(copied.met, "\(copied.screen)")

        let buffer = await tmux.tmux(["show-buffer"])
        #expect(buffer.status == 0, "\(buffer.output)")
        let command = buffer.output
        #expect(command.hasPrefix("curl -q -g --path-as-is -X 'POST' 'http://127.0.0.1:"), "\(command)")
        // The journaled body travels with it: a bodiless POST would get another 400.
        #expect(command.contains("--data-raw '{") || command.contains("--data-binary @-"), "\(command)")
        #expect(command.contains("$JWP_SECRET_"), "\(command)")
        let jobs = SyntheticJob.standard(seed: seed)
        #expect(!jobs.contains { command.contains($0.token.secret) }, "a secret in the copied command")

        // The jobs' secrets, as a user would export them; the command expands its own.
        var environment = ["PATH": "/usr/bin:/bin"]
        for job in jobs { environment["JWP_SECRET_" + job.kind.rawValue.uppercased()] = job.token.secret }
        let replay = await Self.shell(command + " --max-time 60 -s -w '\\n__STATUS=%{http_code}'", environment: environment)
        #expect(replay.contains("__STATUS=400"), "\(replay)")
        let codes = Self.codes(replay)
        #expect(!codes.isEmpty, "\(replay)")

        // The same 400 the job got: the journal holds a 400 with exactly these field codes.
        let journaled = try await RecordClient.calls("http://" + admin)
        let same = journaled.contains { line in
            line["status"] as? Int == 400 && ((line["errors"] as? [[String: Any]])?.compactMap { $0["code"] as? String } ?? []) == codes
        }
        #expect(same, "no journaled 400 with codes \(codes)")
        await tmux.send("q")
        #expect(await tmux.exitStatus() == 0)
    }

    /// Runs `command` in `/bin/sh` on a thread of its own: curl waits for the network, and
    /// must not hold one of Swift concurrency's few threads meanwhile.
    static func shell(_ command: String, environment: [String: String]) async -> String {
        await Blocking.run { blockingShell(command, environment: environment) }
    }

    private static func blockingShell(_ command: String, environment: [String: String]) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return "could not run sh: \(error)" }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// The codes of an API error body, in order.
    static func codes(_ output: String) -> [String] {
        let body = output.components(separatedBy: "\n__STATUS=").first ?? ""
        let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        return ((object?["errors"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String }
    }
}
