import Foundation
import Testing

@Suite("T onto a broken theme file in tmux", .serialized)
struct ThemeEndToEndTests {
    @Test("the dashboard keeps running with its theme, the status line says why, and q still restores the terminal")
    func brokenTheme() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-theme-e2e-\(UUID().uuidString.prefix(8))")
        let themes = root.appendingPathComponent("mapitop/themes")
        try FileManager.default.createDirectory(at: themes, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try "header = { fg = \"#12345\" }\n".write(to: themes.appendingPathComponent("broken.toml"), atomically: true, encoding: .utf8)
        let log = root.appendingPathComponent("mapitop.log").path

        let tmux = try await Tmux(command: "\(Binary.quoted(Binary.path)) demo --seed 5 --theme mono --log-file \(Binary.quoted(log)); echo __EXIT=$?",
                            width: 120, height: 40, environment: ["XDG_CONFIG_HOME": root.path])
        defer { tmux.stop() }
        let started = await tmux.waitFor { $0.contains("/60") && $0.contains("live") }
        #expect(started.met, "\(started.screen)")

        // The user's themes folder comes first on the search path, so `broken` is in the cycle:
        // first, and so next after `mono`, the last of the installed ones, which the demo
        // starts on. T until the dashboard has tried it (at most once round every theme).
        var failed = (met: false, screen: "")
        for _ in 0..<8 where !failed.met {
            await tmux.send("T")
            // Generous: a notice drawn after the next T would be cleared by it, and `broken`
            // leaves the cycle once tried, so a late draw must not be mistaken for none.
            failed = await tmux.waitFor(timeout: .seconds(15)) { $0.contains("theme 'broken' not loaded") }
        }
        #expect(failed.met, "\(failed.screen)")
        #expect(failed.screen.contains("broken.toml:1: header: fg must be"), "\(failed.screen)")
        #expect(!failed.screen.contains("__EXIT="))

        // Still alive and drawing: the next key clears the notice and the hints return.
        await tmux.send("s")
        let hints = await tmux.waitFor { $0.contains("/ filter") && !$0.contains("not loaded") }
        #expect(hints.met, "\(hints.screen)")
        await tmux.send("q")
        #expect(await tmux.exitStatus() == 0)
        #expect(await tmux.display("#{alternate_on}") == "0")
        #expect(await tmux.display("#{cursor_flag}") == "1")
    }

    @Test("watch --theme broken, recording while open, exits 78 before it starts: no runtime file left, the journal free")
    func brokenThemeAtStart() async throws {
        let home = try RecorderHome()
        defer { home.cleanUp() }
        let themes = home.path + "/config/mapitop/themes"
        try FileManager.default.createDirectory(atPath: themes, withIntermediateDirectories: true)
        try "header = { fg = \"#12345\" }\n".write(toFile: themes + "/broken.toml", atomically: true, encoding: .utf8)
        let watch = await Spawn.detached(Binary.path, ["watch", "--theme", "broken", "--log-file", home.path + "/watch.log"],
                                         environment: home.environment)
        #expect(watch.status == 78, "\(watch.output)")
        #expect(watch.output.contains("broken.toml:1: header: fg must be"), "\(watch.output)")
        #expect(!FileManager.default.fileExists(atPath: home.runtimeFile), "the runtime file of a recorder that never ran was left")
        // The journal's lock is free: a recorder takes it at once.
        let recorder = try await RecorderProcess.start(home: home)
        #expect(await recorder.terminate() == 0, "stderr: \(recorder.stderr)")
    }
}
