import ConfigFile
import Foundation
import Screen
import Testing
@testable import Dashboard

@Suite("Theme files")
struct ThemeFileTests {
    static var themesFolder: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Themes").path
    }

    @Test("every shipped theme loads and names every role", arguments: ["default", "light", "high-contrast", "mono"])
    func shipped(name: String) throws {
        let theme = try ThemeLoader.load("\(Self.themesFolder)/\(name).toml", environment: [:])
        #expect(theme.name == name)
        #expect(Set(theme.roles.keys) == Set(Role.allCases))
    }

    @Test("the shipped default matches the built-in one; mono has no colours")
    func defaultAndMono() throws {
        #expect(try ThemeLoader.load("\(Self.themesFolder)/default.toml", environment: [:]).roles == Theme.builtInDefault.roles)
        let mono = try ThemeLoader.load("\(Self.themesFolder)/mono.toml", environment: [:])
        #expect(mono.roles.values.allSatisfy { $0.foreground == .default && $0.background == .default })
        #expect(mono.style(for: .selection).reverse)
    }

    @Test("default works with no theme files at all")
    func builtIn() throws {
        let nowhere = ["HOME": "/nonexistent", "XDG_CONFIG_HOME": "/nonexistent"]
        #expect(ThemeLocator.file(for: "default", environment: nowhere) == nil
            || ThemeLocator.file(for: "default", environment: nowhere)?.hasSuffix("Themes/default.toml") == true)
        #expect(try ThemeLoader.parse("", name: "empty", file: "e.toml").roles.isEmpty)
    }

    /// (text, line, key, start of message)
    static let broken: [(String, Int?, String?, String)] = [
        ("text = { fg = \"default\" }\nheadr = { bold = true }", 2, "headr", "unknown role"),
        ("header = { fg = \"#12345\" }", 1, "header", "fg must be"),
        ("header = { bg = 256 }", 1, "header", "bg must be"),
        ("header = { bold = \"yes\" }", 1, "header", "bold must be true or false"),
        ("header = { blink = true }", 1, "header", "unknown attribute 'blink'"),
        ("header = \"red\"", 1, "header", "must be an inline table"),
        ("header = { fg = 1 \n", 1, nil, "not valid TOML"),
    ]

    @Test("broken themes say file, line and role", arguments: broken)
    func brokenTheme(text: String, line: Int?, key: String?, message: String) {
        #expect {
            try ThemeLoader.parse(text, name: "bad", file: "Themes/bad.toml")
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            return error.file == "Themes/bad.toml" && error.line == line && error.key == key && error.message.hasPrefix(message)
        }
    }

    @Test("colours: hex, index and default")
    func colors() throws {
        let theme = try ThemeLoader.parse("header = { fg = \"#ff8000\", bg = 24 }\ntext = { fg = \"default\" }", name: "t", file: "t.toml")
        #expect(theme.style(for: .header).foreground == .rgb(255, 128, 0))
        #expect(theme.style(for: .header).background == .indexed(24))
        #expect(theme.style(for: .text).foreground == .default)
    }
}
