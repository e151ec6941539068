import Foundation
import Journal
import Testing

/// Packaging/systemd/mapitop-record.service is what `make install` puts where systemd --user
/// looks. These tests hold it to systemd's own parser and to the real binary, so a typo in a
/// key, a subcommand that was renamed or an exit code that moved fails here, not on a box.
@Suite("Packaging: the systemd user unit")
struct SystemdUnitTests {
    static let unitPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Packaging/systemd/mapitop-record.service").path

    static func unit() throws -> String {
        try String(contentsOfFile: unitPath, encoding: .utf8)
    }

    /// The value of the first `Key=` line, comments skipped.
    static func value(of key: String, in unit: String) -> String? {
        unit.split(separator: "\n").map(String.init)
            .first { !$0.hasPrefix("#") && $0.hasPrefix(key + "=") }
            .map { String($0.dropFirst(key.count + 1)) }
    }

    @Test("systemd-analyze verify --user accepts the unit, with ExecStart pointed at the built binary")
    func systemdAcceptsIt() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-unit-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/runtime", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let unit = try Self.unit()
        let start = try #require(Self.value(of: "ExecStart", in: unit))
        #expect(start.hasPrefix("/usr/local/bin/mapitop "), "make install rewrites this prefix; keep them in step")
        // What `make install PREFIX=…` does: the binary's path replaced, nothing else.
        let installed = unit.replacingOccurrences(of: "ExecStart=/usr/local/bin/mapitop ", with: "ExecStart=\(Binary.path) ")
        let copy = folder + "/mapitop-record.service"
        try installed.write(toFile: copy, atomically: true, encoding: .utf8)

        let result = await Spawn.detached("systemd-analyze", ["verify", "--user", copy], environment: ["XDG_RUNTIME_DIR": folder + "/runtime"])
        #expect(result.status == 0, "\(result.output)")
        // Unknown keys are only warnings to systemd: any output at all is a defect here.
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(result.output)")
    }

    @Test("ExecStart names a subcommand the binary has")
    func execStartRuns() async throws {
        let start = try #require(Self.value(of: "ExecStart", in: try Self.unit()))
        let arguments = start.split(separator: " ").dropFirst().map(String.init)
        #expect(arguments.first == "record")
        let result = await Spawn.detached(Binary.path, arguments + ["--help"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("USAGE: mapitop record"), "\(result.output)")
    }

    @Test("a restart is not attempted for the exits that cannot heal: usage, journal locked, journal corrupt")
    func restartPreventedForPermanentFailures() throws {
        let unit = try Self.unit()
        let listed = Set((Self.value(of: "RestartPreventExitStatus", in: unit) ?? "").split(separator: " ").compactMap { Int32($0) })
        let permanent: Set<Int32> = [
            64,
            JournalError.lockedByAnotherWriter(path: "j", pid: 1).exitCode,
            JournalError.notAJournal(path: "j", reason: "r").exitCode,
        ]
        #expect(listed == permanent)
        #expect(Self.value(of: "Restart", in: unit) == "on-failure")
        #expect(Self.value(of: "KillSignal", in: unit) == "SIGTERM")
        #expect(Self.value(of: "UMask", in: unit) == "0077")
    }
}
