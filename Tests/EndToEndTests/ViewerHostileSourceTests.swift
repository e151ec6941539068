import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A window following a source that tries to exhaust its memory (issue 23, point 12): a
/// million events in a burst (about 400 MiB of estimated history against a 64 MiB budget),
/// then `data:` lines that never end in an event. Its history and its monitor are bounded by
/// bytes and rows, the event parser by bytes: the window's peak RSS stays under 256 MiB, it
/// says the source is unreadable, and it still draws and quits.
@Suite("watch --source on a hostile recorder")
struct ViewerHostileSourceTests {
    static let burst = 1_000_000
    static let rssLimitKiB = 256 * 1_024

    @Test("a million events in a burst, then endless data lines: peak RSS under 256 MiB, the source shown unreadable, q quits")
    func flood() async throws {
        let hostile = try HostileRecorder(burst: Self.burst)
        defer { hostile.close() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-hostile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = folder + "/config.toml"
        try "api_base = \"http://127.0.0.1:9\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let window = try await Tmux(
            command: "\(Binary.quoted(Binary.path)) watch --config \(Binary.quoted(config)) --source \(hostile.base) "
                + "--log-file \(Binary.quoted(folder + "/watch.log")); echo __EXIT=$?",
            width: 140, height: 40)
        defer { window.stop() }
        let pid = try #require(await window.programPID(), "no mapitop in the pane: \(window.lastScreen)")
        // The baseline for the figure: the window drawn, following the source, before the burst lands.
        #expect(await window.waitFor { $0.contains("mapitop") }.met, "\(window.lastScreen)")
        let idle = ProcessMemory.kiB(pid, field: "VmRSS") ?? 0

        // The burst is read as fast as the window decodes it: a minute bounds a hang for each
        // thousand events, never a measure of speed.
        var reached = 0
        while reached < Self.burst {
            let before = reached
            #expect(await eventually { hostile.sent > before }, "the window stopped reading at \(before) events")
            reached = hostile.sent
            guard reached > before else { break }
        }
        let unreadable = await window.waitFor { $0.contains("unreadable since") && $0.contains("runs past") }
        #expect(unreadable.met, "\(unreadable.screen)")
        let peak = try #require(ProcessMemory.kiB(pid, field: "VmHWM"))
        #expect(peak < Self.rssLimitKiB, "peak RSS \(peak) KiB after \(reached) events")
        print("watch under a burst of \(reached) events and endless data: peak RSS \(peak) KiB, "
              + "\(String(format: "%.2f", Double(peak) / Double(max(1, idle))))x its \(idle) KiB on start")
        #expect(unreadable.screen.contains("mapitop"), "the header is gone: \(unreadable.screen)")
        await window.send("q")
        #expect(await window.exitStatus() == 0, "\(window.lastScreen)")
    }
}
