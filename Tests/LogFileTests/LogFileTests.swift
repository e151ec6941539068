import Foundation
import LogFile
import Logging
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("The log file: appends, rotates, reopens, never traps")
struct LogFileTests {
    /// A fresh folder per test; removed by the caller.
    func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-log-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func mode(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? Int) ?? -1
    }

    @Test("a full disk neither traps nor throws: the failed lines are counted")
    func fullDisk() throws {
        let file = try LogFile(path: "/dev/full", maxBytes: 10)
        file.write("first line that does not fit\n")
        file.write("second\n")
        #expect(file.failedWrites == 2)
        // A device is never rotated away.
        #expect(FileManager.default.fileExists(atPath: "/dev/full"))
        #expect(!FileManager.default.fileExists(atPath: "/dev/full.1"))
    }

    @Test("lines lost to an error are reported by the next line that gets through")
    func lostLinesReported() throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/sub/mapitop.log"
        let file = try LogFile(path: path)
        // The folder vanishes: the reopen fails and the line is lost, not a crash.
        try FileManager.default.removeItem(atPath: directory + "/sub")
        file.write("lost\n")
        #expect(file.failedWrites == 1)
        try FileManager.default.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: true)
        file.write("back\n")
        #expect(file.failedWrites == 1)
        let written = lines(path)
        #expect(written.count == 2)
        #expect(written.first?.hasSuffix("1 log lines could not be written") == true)
        #expect(written.last == "back")
    }

    @Test("two writers on one file append; neither overwrites the other's lines")
    func twoWriters() async throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/mapitop.log"
        let first = try LogFile(path: path)
        let second = try LogFile(path: path)
        await withTaskGroup(of: Void.self) { group in
            for (name, file) in [("a", first), ("b", second)] {
                group.addTask {
                    for index in 0..<500 { file.write("\(name)-\(index)\n") }
                }
            }
        }
        let written = lines(path)
        #expect(written.count == 1_000)
        #expect(Set(written).count == 1_000)
        #expect(written.filter { $0.hasPrefix("a-") }.count == 500)
    }

    @Test("after logrotate renames the file, the next line starts a new one")
    func followsRename() throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/mapitop.log"
        let file = try LogFile(path: path)
        file.write("before\n")
        try FileManager.default.moveItem(atPath: path, toPath: path + ".old")
        file.write("after\n")
        #expect(lines(path + ".old") == ["before"])
        #expect(lines(path) == ["after"])
        #expect(mode(path) == 0o600)
    }

    /// What a SIGHUP does (`reopen(on:)`; the real binary's signal is tested end to end in
    /// TapCommandTests): the new file exists at once, before any line is written.
    @Test("reopen() after a rename starts the new file at once, 0600")
    func reopenNow() throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/mapitop.log"
        let file = try LogFile(path: path)
        file.write("before\n")
        try FileManager.default.moveItem(atPath: path, toPath: path + ".old")
        file.reopen()
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(mode(path) == 0o600)
        file.write("after\n")
        #expect(lines(path) == ["after"])
        #expect(lines(path + ".old") == ["before"])
    }

    @Test("past the size cap the file rotates to .1 and nothing is lost")
    func rotation() throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/mapitop.log"
        let file = try LogFile(path: path, maxBytes: 40)
        // 20 bytes a line: every second line reaches the cap and rotates; one .1 is kept.
        for index in 0..<5 { file.write("line \(index) of ten bytes\n") }
        #expect(lines(path + ".1") == ["line 2 of ten bytes", "line 3 of ten bytes"])
        #expect(lines(path) == ["line 4 of ten bytes"])
        #expect(mode(path) == 0o600)
        #expect(file.failedWrites == 0)
    }

    @Test("a new log is 0600, and an existing one readable by others is narrowed to 0600")
    func permissions() throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fresh = directory + "/fresh.log"
        _ = try LogFile(path: fresh)
        #expect(mode(fresh) == 0o600)
        let loose = directory + "/loose.log"
        #expect(FileManager.default.createFile(atPath: loose, contents: Data("old\n".utf8), attributes: [.posixPermissions: 0o644]))
        let file = try LogFile(path: loose)
        file.write("new\n")
        #expect(mode(loose) == 0o600)
        #expect(lines(loose) == ["old", "new"])
    }

    @Test("the handler writes one line per event, even when the message holds a newline")
    func handlerLines() throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/mapitop.log"
        let file = try LogFile(path: path)
        let logger = Logger(label: "mapitop.test", factory: { LogFileHandler(label: $0, file: file) })
        logger.info("upstream said\nforged entry", metadata: ["status": "400"])
        let written = lines(path)
        #expect(written.count == 1)
        #expect(written.first?.hasSuffix(#"info mapitop.test: upstream said\nforged entry status=400"#) == true)
    }

    /// 20 bytes with its newline, for any index below 100.
    func line(_ index: Int) -> String { "line \(String(format: "%02d", index)) of 20 bytes\n" }

    @Test("a rotation that fails loses no line, is retried only a cap later, and rotates once it can")
    func rotationFails() throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/mapitop.log"
        // rename(2) onto a directory fails even for root, who ignores permissions.
        try FileManager.default.createDirectory(atPath: path + ".1", withIntermediateDirectories: false)
        let file = try LogFile(path: path, maxBytes: 100)
        // Reaches the cap at line 4; retried after another 100 bytes, at lines 9 and 14.
        for index in 0..<15 { file.write(line(index)) }
        #expect(file.failedWrites == 0)
        #expect(file.failedRotations == 3)
        let written = lines(path)
        #expect(!written.contains { $0.contains("could not be written") })
        #expect(written.filter { $0.contains("could not rotate") }.count == 3)
        #expect(written.filter { $0.hasPrefix("line ") } == (0..<15).map { String(line($0).dropLast()) })

        // Once rotation works again the cap applies again: the next retry, a cap later, succeeds.
        try FileManager.default.removeItem(atPath: path + ".1")
        for index in 15..<20 { file.write(line(index)) }
        #expect(lines(path + ".1").filter { $0.hasPrefix("line ") } == (0..<20).map { String(line($0).dropLast()) })
        file.write(line(20))
        #expect(lines(path) == ["line 20 of 20 bytes"])
        #expect(file.failedRotations == 3)
        #expect(file.failedWrites == 0)
    }

    @Test("a file truncated from outside (logrotate copytruncate) is not rotated early")
    func truncatedOutside() throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/mapitop.log"
        let file = try LogFile(path: path, maxBytes: 100)
        for index in 0..<4 { file.write(line(index)) }
        // What copytruncate does after copying the file away.
        #expect(truncate(path, 0) == 0)
        for index in 4..<7 { file.write(line(index)) }
        #expect(!FileManager.default.fileExists(atPath: path + ".1"))
        #expect(lines(path) == (4..<7).map { String(line($0).dropLast()) })
        #expect(file.failedWrites == 0)
    }

    @Test("another writer's lines count toward the cap")
    func secondWriterCounts() throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/mapitop.log"
        let first = try LogFile(path: path, maxBytes: 100)
        let second = try LogFile(path: path, maxBytes: 100)
        for index in 0..<3 { first.write(line(index)) }
        second.write(line(3))
        // 100 bytes in the file, 80 of them from `first`: it must rotate now.
        first.write(line(4))
        #expect(lines(path + ".1") == (0..<5).map { String(line($0).dropLast()) })
        #expect(lines(path).isEmpty)
        // The other writer follows the rotation to the new file.
        second.write(line(5))
        #expect(lines(path) == ["line 05 of 20 bytes"])
    }

    @Test("the handler escapes every control and bidi character, in message and metadata")
    func handlerEscapesControls() throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/mapitop.log"
        let file = try LogFile(path: path)
        let logger = Logger(label: "mapitop.test", factory: { LogFileHandler(label: $0, file: file) })
        // A carriage return that hides the real line, terminal escapes (clear screen, window
        // title, C1 CSI), DEL, NUL, a tab, a line separator and a right-to-left override.
        logger.info("ok\r2026-01-01T00:00:00Z error forged\u{1B}[2J\u{1B}]0;owned\u{07}\u{7F}\u{0}\t\u{9B}31m\u{85}\u{2028}\u{202E}exe.txt",
                    metadata: ["peer": "\u{1B}[31mred\r\n\u{2066}x\u{2069}"])
        let content = try String(contentsOfFile: path, encoding: .utf8)
        #expect(content.hasSuffix(
            #"info mapitop.test: ok\r2026-01-01T00:00:00Z error forged\e[2J\e]0;owned\x07\x7f\x00\t\u{9B}31m\u{85}\u{2028}\u{202E}exe.txt peer=\e[31mred\r\n\u{2066}x\u{2069}"# + "\n"))
        // Nothing but the final newline is a control, format or separator character.
        let body = content.unicodeScalars.dropLast()
        #expect(!body.contains { $0.properties.generalCategory == .control })
        #expect(!body.contains { $0.properties.generalCategory == .format })
        #expect(!body.contains { $0.properties.generalCategory == .lineSeparator })
    }
}
