import Foundation
import ManagementAPI
import Screen
import Testing
@testable import Dashboard

@Suite("T onto a broken theme file: the screen keeps its theme and the status line says why")
struct ThemeSwitchTests {
    /// A config folder with real theme files: `good` loads, `broken` does not.
    final class ThemeFolder {
        let root: URL
        var environment: [String: String] { ["XDG_CONFIG_HOME": root.path, "HOME": root.path] }

        init(broken: String) throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-themes-\(UUID().uuidString.prefix(8))")
            let themes = root.appendingPathComponent("mapitop/themes")
            try FileManager.default.createDirectory(at: themes, withIntermediateDirectories: true)
            try "header = { fg = \"#ff8000\", bold = true }\n".write(to: themes.appendingPathComponent("good.toml"), atomically: true, encoding: .utf8)
            try broken.write(to: themes.appendingPathComponent("broken.toml"), atomically: true, encoding: .utf8)
        }

        deinit { try? FileManager.default.removeItem(at: root) }
    }

    /// The real loop on a memory terminal, with real theme files behind `loadTheme`; the draw
    /// clock is stepped a second per turn so every change reaches the screen.
    func run(_ folder: ThemeFolder, keys: [[Key]]) -> (loop: DashboardLoop, terminal: MemoryTerminal) {
        var state = World.state()
        state.themes = ["default", "broken", "good"]
        let terminal = MemoryTerminal(width: 100, height: 30)
        let clock = ManualClock(World.start.addingTimeInterval(30))
        let drawClock = ManualMonotonicClock()
        let environment = folder.environment
        let loop = DashboardLoop(terminal: terminal, monitor: World.monitor(clock: clock), clock: clock, drawClock: drawClock, state: state,
                                 loadTheme: { try ThemeLoader.load($0, environment: environment) })
        loop.step(keyTimeout: .zero)
        for turn in keys {
            for key in turn { terminal.type(key) }
            for _ in 0...turn.count {
                drawClock.advance(by: 1)
                loop.step(keyTimeout: .zero)
            }
        }
        return (loop, terminal)
    }

    @Test("the current theme stays, the reason shows on one line, and the next T moves past the broken one")
    func brokenThemeKeepsCurrent() throws {
        // A role name with an escape in it: the reason quotes it, and it must not reach a cell raw.
        let folder = try ThemeFolder(broken: "\"\\u001B[2Jheadr\" = { bold = true }\n")
        let (loop, terminal) = run(folder, keys: [[.character("T")]])
        #expect(terminal.theme?.name != "broken")
        #expect(loop.state.themeName == terminal.theme?.name)
        #expect(!loop.state.themes.contains("broken"))
        let status = try #require(loop.state.status)
        #expect(!status.contains("\n") && !status.unicodeScalars.contains { $0.value == 0x1B })
        let bottom = try #require(terminal.lastFrame?.trimmedLines.last)
        #expect(bottom.contains("theme 'broken' not loaded"), "\(bottom)")
        #expect(bottom.contains("broken.toml"))
        #expect(bottom.contains("\\e[2Jheadr"))
        #expect(bottom.contains("unknown role"))

        let (next, nextTerminal) = run(folder, keys: [[.character("T")], [.character("T")]])
        #expect(nextTerminal.theme?.name == "good")
        #expect(next.state.status == nil)
        #expect(nextTerminal.lastFrame?.trimmedLines.last?.contains("/ filter") == true)
    }

    @Test("a theme that is not TOML at all: the parser's message is folded onto the status line")
    func notTOML() throws {
        let folder = try ThemeFolder(broken: "header = { fg = 1 \n\n[[[\n")
        let (loop, terminal) = run(folder, keys: [[.character("T")]])
        #expect(loop.state.themeName == "default")
        let bottom = try #require(terminal.lastFrame?.trimmedLines.last)
        #expect(bottom.contains("theme 'broken' not loaded") && bottom.contains("not valid TOML"), "\(bottom)")
    }

    @Test("update: a failed theme leaves the cycle, the index goes back to the theme on screen, the next key clears the notice")
    func updateOnFailure() {
        var state = World.state()
        state = update(state, .key(.character("T"))).state
        #expect(state.themeName == "light")
        state = update(state, .themeFailed(name: "light", reason: "light.toml:2: header: fg must be\nsomething", current: "default")).state
        #expect(state.themeName == "default")
        #expect(state.themes == ["default", "mono"])
        #expect(state.status == "theme 'light' not loaded: light.toml:2: header: fg must be something")
        state = update(state, .key(.character("T"))).state
        #expect(state.themeName == "mono")
        #expect(state.status == nil)
        // Nothing applied yet: the name stays (the terminal keeps its starting theme).
        let first = update(World.state(), .themeFailed(name: "default", reason: "gone", current: nil)).state
        #expect(first.themeName == "default" && first.themes == ["default", "light", "mono"])
        #expect(first.status?.contains("gone") == true)
    }

    @Test("status text is one sanitized, bounded line")
    func oneLine() {
        #expect(StatusText.oneLine("a\nb\r\n\tc  d") == "a b c d")
        #expect(StatusText.oneLine("x\u{1B}]0;pwned\u{7}") == "x\\e]0;pwned\\u{7}")
        #expect(StatusText.oneLine(String(repeating: "y", count: 1_000)).count == StatusText.maximumLength + 1)
    }
}
