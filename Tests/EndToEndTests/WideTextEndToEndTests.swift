import Foundation
import Testing

/// Text whose width is disputed (ZWJ sequences, emoji with VS16, skin tones, flags, CJK,
/// combining marks) drawn through the real ncurses terminal in a real tmux: each sample's row
/// is boxed, with the right border in the screen's last column. Had the frame measured a
/// sample otherwise than ncurses and the terminal, the rest of that row would have moved:
/// the border would sit left of the last column, or wrap off the row.
@Suite("Wide and joined text in tmux keeps every row aligned", .serialized)
struct WideTextEndToEndTests {
    /// The sample rows as screen-check draws them (ScreenCheckCommand.widthSamples), and the
    /// text each must show: disputed graphemes in the form every party measures alike.
    static let rows: [(prefix: String, shows: String)] = [
        ("CJK", "CJK 日本語"), ("ZWJ", "ZWJ 👩💻 👨👩👧"), ("VS16", "VS16 ❤ ✔"), ("skin", "skin 👍"), ("flag", "flag US"),
        ("marks", "marks e\u{301} a\u{308}\u{323}"),
    ]

    @Test("every boxed row ends in the border, in the last column, at several widths", arguments: [80, 61, 100])
    func aligned(width: Int) async throws {
        let tmux = try await Tmux(command: Binary.quoted(Binary.path) + " screen-check; echo __EXIT=$?", width: width, height: 24)
        defer { tmux.stop() }
        let shown = await tmux.waitFor("screen-check \(width)x24")
        #expect(shown.met, "never drew: \(shown.screen)")
        let box = await tmux.waitFor { $0.contains("└") }
        #expect(box.met)
        // -N keeps trailing spaces: a border one column short of the edge must show as such.
        let lines = await tmux.tmux(["capture-pane", "-p", "-N", "-t", "main"]).output.split(separator: "\n", omittingEmptySubsequences: false)
        for row in Self.rows {
            let line = try #require(lines.first { $0.hasPrefix("│" + row.prefix + " ") }.map(String.init),
                                    "no row for \(row.prefix): \(lines.joined(separator: "\n"))")
            #expect(line.hasPrefix("│" + row.shows + " "), "\(row.prefix): \(line)")
            #expect(line.hasSuffix("│"), "\(row.prefix) row lost its right border: [\(line)]")
            // The row is exactly the screen's width in tmux's own cells: the padding after
            // the sample is what the frame computed, so tmux measured the sample alike.
            let padding = line.dropFirst(1 + row.shows.count).prefix { $0 == " " }.count
            #expect(padding + 2 + (await Self.tmuxWidth(of: row.shows, tmux: tmux)) == width, "\(row.prefix): [\(line)]")
        }
        await tmux.send("q")
        #expect(await tmux.exitStatus() == 0)
    }

    @Test("in a locale that is not UTF-8, every non-ASCII column shows '?' and the rows still end in their border")
    func asciiLocale() async throws {
        let tmux = try await Tmux(command: Binary.quoted(Binary.path) + " screen-check --ascii; echo __EXIT=$?", width: 80, height: 24,
                            environment: ["LANG": "C", "LC_ALL": "C"])
        defer { tmux.stop() }
        let box = await tmux.waitFor { $0.contains("+---") && $0.contains("|new ") }
        #expect(box.met, "never drew: \(box.screen)")
        let lines = await tmux.tmux(["capture-pane", "-p", "-N", "-t", "main"]).output.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.contains { $0.hasPrefix(" wide: ?????? ?? ? end") }, "\(box.screen)")
        let rows: [(prefix: String, shows: String)] = [("CJK", "CJK ??????"), ("ZWJ", "ZWJ ???? ??????"), ("VS16", "VS16 ? ?"), ("flag", "flag US")]
        for row in rows {
            let line = try #require(lines.first { $0.hasPrefix("|" + row.prefix + " ") }.map(String.init), "\(box.screen)")
            #expect(line.hasPrefix("|" + row.shows + " ") && line.hasSuffix("|") && line.count == 80, "[\(line)]")
        }
        await tmux.send("q")
        #expect(await tmux.exitStatus() == 0)
    }

    /// The width tmux itself gives a text: its format engine's `#{n:}` counts characters, so
    /// print the text into a scratch window and read where tmux's cursor ends up instead.
    static func tmuxWidth(of text: String, tmux: Tmux) async -> Int {
        let window = "width-\(UUID().uuidString.prefix(6))"
        await tmux.tmux(["new-window", "-d", "-n", window, "printf '%s' \(Binary.quoted(text)); sleep 30"])
        // The same non-zero reading twice in a row: tmux may still be reading printf's bytes.
        let deadline = ContinuousClock.now + .seconds(60)
        var previous: Int?
        var width = -1
        while ContinuousClock.now < deadline {
            let cursor = await tmux.tmux(["display-message", "-p", "-t", window, "#{cursor_x}"]).output
            let value = Int(cursor.trimmingCharacters(in: .whitespacesAndNewlines))
            if let value, value > 0, value == previous {
                width = value
                break
            }
            previous = value
            try? await Task.sleep(for: .milliseconds(50))
        }
        await tmux.tmux(["kill-window", "-t", window])
        return width
    }
}
