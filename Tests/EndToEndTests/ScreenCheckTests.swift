import Foundation
import Testing

@Suite("The ncurses terminal in tmux", .serialized)
struct ScreenCheckTests {
    func start(width: Int = 80, height: Int = 24, pidFile: String? = nil) async throws -> Tmux {
        let binary = Binary.quoted(Binary.path)
        let run = pidFile.map { "sh -c 'echo $$ > \($0); exec \(binary) screen-check'" } ?? "\(binary) screen-check"
        return try await Tmux(command: run + "; echo __EXIT=$?", width: width, height: height)
    }

    @Test("30 resizes redraw at each size; hostile text cannot retitle; q restores the terminal")
    func resizesAndQuit() async throws {
        let tmux = try await start()
        defer { tmux.stop() }
        let first = await tmux.waitFor("screen-check 80x24")
        #expect(first.met, "never drew: \(first.screen)")
        #expect(first.screen.contains("hostile: \\e]0;pwned\\u{7}\\e[2J\\u{202E}evil"))
        #expect(first.screen.contains("wide: 日本語 🎬"))
        #expect(await tmux.display("#{pane_title}") != "pwned")
        #expect(await tmux.display("#{alternate_on}") == "1")

        for step in 1...30 {
            let (width, height) = step % 7 == 0 ? (30, 6) : (60 + (step * 7) % 40, 12 + (step * 3) % 20)
            await tmux.resize(width: width, height: height)
            let expected = width < 40 || height < 8 ? "terminal too small" : "screen-check \(width)x\(height)"
            let shown = await tmux.waitFor(expected)
            #expect(shown.met, "step \(step): \(width)x\(height) never showed: \(shown.screen)")
        }
        let counted = await tmux.waitFor { $0.contains("resizes ") }
        #expect(counted.met)

        await tmux.send("q")
        #expect(await tmux.exitStatus() == 0)
        #expect(await tmux.display("#{alternate_on}") == "0")
        #expect(await tmux.display("#{cursor_flag}") == "1")
        #expect(await tmux.display("#{keypad_flag}") == "0")
    }

    @Test("Home, End, PgUp, PgDn, Delete, Shift-Tab and the arrows read as such inside tmux, under each TERM set there",
          arguments: ["xterm-256color", "screen-256color", "tmux-256color"])
    func keysUnderEveryTerm(term: String) async throws {
        let binary = Binary.quoted(Binary.path)
        let tmux = try await Tmux(command: "TERM=\(term) \(binary) screen-check; echo __EXIT=$?", width: 80, height: 24)
        defer { tmux.stop() }
        #expect(await tmux.waitFor("last key: none").met, "never drew: \(tmux.lastScreen)")
        // tmux's names for the keys, and what the dashboard reads them as; no two in a row alike.
        let keys = [("End", "end"), ("Home", "home"), ("PPage", "pageUp"), ("NPage", "pageDown"), ("DC", "delete"), ("Up", "up"),
                    ("Down", "down"), ("Left", "left"), ("Right", "right"), ("BTab", "backTab"), ("End", "end")]
        for (name, read) in keys {
            await tmux.send(name)
            let shown = await tmux.waitFor("last key: \(read)")
            #expect(shown.met, "\(name) under TERM=\(term) did not read as \(read): \(shown.screen)")
        }
        await tmux.send("q")
        #expect(await tmux.exitStatus() == 0)
    }

    @Test("SIGTERM ends it with the terminal restored")
    func sigterm() async throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-pid-\(UUID().uuidString)").path
        let tmux = try await start(pidFile: pidFile)
        defer {
            tmux.stop()
            try? FileManager.default.removeItem(atPath: pidFile)
        }
        #expect(await tmux.waitFor("screen-check 80x24").met)
        let pid = try #require(Int32((try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        #expect(kill(pid, SIGTERM) == 0)
        #expect(await tmux.exitStatus() == 128 + Int(SIGTERM))
        #expect(await tmux.display("#{alternate_on}") == "0")
        #expect(await tmux.display("#{cursor_flag}") == "1")
    }
}
