import Foundation
import Hummingbird
import HummingbirdTesting
import Simulator
import Testing

/// `mapitop export`, the real binary: from the journal of a recorder that is running (and so
/// holds its lock), from the same recorder through `--source`, an empty range, and bad input.
@Suite("mapitop export, the real binary")
struct ExportCommandTests {
    static func export(_ home: RecorderHome, _ arguments: [String]) async -> Spawn.Result {
        await Spawn.detached(Binary.path, ["export"] + arguments, environment: home.environment)
    }

    @Test("a journal held by a running recorder exports in every format, and --source reads the same calls from its admin server")
    func fromARunningRecorder() async throws {
        try await RecorderScenario.withRecorder { home, recorder, tap in
            try await RecorderScenario.traffic(through: tap, successes: 2)
            let journaled = try await RecordClient.eventually {
                RecordLoopbackTests.failed(try await RecordClient.calls(recorder.adminBase), status: 400).count == 1
            }
            #expect(journaled)

            // The recorder holds the journal's lock: WAL lets the export read beside it.
            let har = await Self.export(home, ["--journal", home.journal, "--format", "har", "--filter", "status:400"])
            #expect(har.status == 0, "\(har.output)")
            let log = (try JSONSerialization.jsonObject(with: Data(har.output.utf8)) as? [String: Any])?["log"] as? [String: Any]
            let entries = log?["entries"] as? [[String: Any]] ?? []
            #expect(entries.count == 1, "\(har.output)")
            let request = entries.first?["request"] as? [String: Any]
            #expect((request?["postData"] as? [String: Any])?["text"] as? String == RecordLoopbackTests.invalidMedia)
            #expect((request?["url"] as? String)?.hasSuffix("/v2/sites/Abcd1234/media/") == true)
            #expect((request?["headers"] as? [[String: String]])?.contains { $0["value"] == "Bearer $JWP_SECRET_OPS" } == true)
            #expect(!har.output.contains(RecordLoopbackTests.ops.secret), "the secret reached the export")

            let csv = await Self.export(home, ["--journal", home.journal, "--format", "csv"])
            #expect(csv.status == 0, "\(csv.output)")
            #expect(csv.output.hasPrefix("type,seq,time,token,"))
            #expect(csv.output.contains("\r\ncall,"), "no call row: \(csv.output)")

            let local = await Self.export(home, ["--journal", home.journal, "--format", "jsonl"])
            let remote = await Self.export(home, ["--source", recorder.adminBase, "--format", "jsonl"])
            #expect(local.status == 0 && remote.status == 0, "\(local.output) \(remote.output)")
            let localSeqs = try local.output.split(separator: "\n").map { try RecordClient.object($0)["seq"] as? Int }
            let remoteSeqs = try remote.output.split(separator: "\n").map { try RecordClient.object($0)["seq"] as? Int }
            #expect(!localSeqs.isEmpty && localSeqs == remoteSeqs, "local \(localSeqs) remote \(remoteSeqs)")
        }
    }

    @Test("an empty range exits 0 with a valid empty document; a bad --since or --filter is one line and exit 64; a missing journal is exit 66")
    func emptyAndBad() async throws {
        let home = try RecorderHome()
        defer { home.cleanUp() }
        let recorder = try await RecorderProcess.start(home: home)
        #expect(await recorder.terminate() == 0)

        let har = await Self.export(home, ["--journal", home.journal, "--format", "har", "--since", "2001-01-01", "--until", "2001-01-02"])
        #expect(har.status == 0, "\(har.output)")
        let log = (try JSONSerialization.jsonObject(with: Data(har.output.utf8)) as? [String: Any])?["log"] as? [String: Any]
        #expect((log?["entries"] as? [Any])?.isEmpty == true, "\(har.output)")
        let jsonl = await Self.export(home, ["--journal", home.journal])
        #expect(jsonl.status == 0 && jsonl.output.isEmpty, "\(jsonl.output)")

        for (arguments, says) in [(["--since", "yesterdayish"], "--since"), (["--filter", "status:"], "--filter"),
                                  (["--format", "xml"], "--format"), (["--until", "25:99"], "--until")] {
            let result = await Self.export(home, ["--journal", home.journal] + arguments)
            #expect(result.status == 64, "\(arguments): \(result.output)")
            let lines = result.output.split(separator: "\n")
            #expect(lines.count == 1 && lines.first?.contains(says) == true, "\(arguments): \(result.output)")
        }
        let missing = await Self.export(home, ["--journal", home.path + "/nowhere.sqlite"])
        #expect(missing.status == 66, "\(missing.output)")
        #expect(missing.output.contains("nowhere.sqlite"))
    }
}
