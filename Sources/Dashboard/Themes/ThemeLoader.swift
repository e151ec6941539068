import ConfigFile
import Foundation
import Screen
import TOMLKit

/// Where theme files are looked for, in order (DESIGN.md section 5).
public enum ThemeLocator {
    public static func searchPath(environment: [String: String], executable: String = CommandLine.arguments.first ?? "") -> [String] {
        var folders: [String] = []
        let configBase = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.config")
        folders.append(configBase + "/mapitop/themes")
        let binary = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        // Installed: <prefix>/bin/mapitop beside <prefix>/share/mapitop/themes.
        folders.append(binary.deletingLastPathComponent().appendingPathComponent("share/mapitop/themes").path)
        // A checkout: .build/<triple>/<config>/mapitop, a few folders below Themes/.
        var ancestor = binary
        for _ in 0..<4 {
            ancestor = ancestor.deletingLastPathComponent()
            let themes = ancestor.appendingPathComponent("Themes").path
            if FileManager.default.fileExists(atPath: themes + "/default.toml") {
                folders.append(themes)
                break
            }
        }
        folders.append(FileManager.default.currentDirectoryPath + "/Themes")
        return folders
    }

    /// The file for a theme name or path, or nil when none exists.
    public static func file(for name: String, environment: [String: String]) -> String? {
        if name.contains("/") || name.hasSuffix(".toml") { return name }
        return searchPath(environment: environment).map { "\($0)/\(name).toml" }.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// The names of the themes found on the search path, for cycling with `T`.
    public static func available(environment: [String: String]) -> [String] {
        var names: [String] = []
        for folder in searchPath(environment: environment) {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for file in files.sorted() where file.hasSuffix(".toml") {
                let name = String(file.dropLast(5))
                if !names.contains(name) { names.append(name) }
            }
        }
        if !names.contains("default") { names.insert("default", at: 0) }
        return names
    }
}

/// Reads `Themes/NAME.toml`: one role per line, `role = { fg = "#RRGGBB" | 0-255 | "default",
/// bg = …, bold = true, reverse = …, dim = …, underline = … }`.
public enum ThemeLoader {
    /// The named theme; "default" without a file is the built-in one.
    public static func load(_ name: String, environment: [String: String]) throws(ConfigError) -> Theme {
        guard let file = ThemeLocator.file(for: name, environment: environment) else {
            if name == "default" { return .builtInDefault }
            throw ConfigError(file: name, line: nil, key: nil,
                              message: "no such theme; looked in " + ThemeLocator.searchPath(environment: environment).joined(separator: ", "))
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigError(file: file, line: nil, key: nil, message: "cannot be read")
        }
        let name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        return try parse(String(decoding: data, as: UTF8.self), name: name, file: file)
    }

    public static func parse(_ text: String, name: String, file: String) throws(ConfigError) -> Theme {
        let table = try TOMLDocument.parse(text, file: file)
        let locator = TOMLKeyLocator(text: text)
        var roles: [Role: RoleStyle] = [:]
        for key in table.keys {
            func fail(_ message: String) -> ConfigError {
                ConfigError(file: file, line: locator.line(of: key), key: key, message: message)
            }
            guard let role = Role(rawValue: key) else {
                throw fail("unknown role (roles: \(Role.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard let spec = table[key]?.table else { throw fail("must be an inline table, e.g. { fg = \"#ffffff\", bold = true }") }
            var style = RoleStyle()
            for attribute in spec.keys {
                let value = spec[attribute]
                switch attribute {
                case "fg", "bg":
                    guard let color = value.flatMap(color) else {
                        throw fail("\(attribute) must be \"#RRGGBB\", a number 0-255 or \"default\"")
                    }
                    if attribute == "fg" { style.foreground = color } else { style.background = color }
                case "bold", "reverse", "dim", "underline":
                    guard let flag = value?.bool else { throw fail("\(attribute) must be true or false") }
                    switch attribute {
                    case "bold": style.bold = flag
                    case "reverse": style.reverse = flag
                    case "dim": style.dim = flag
                    default: style.underline = flag
                    }
                default:
                    throw fail("unknown attribute '\(attribute)' (known: fg, bg, bold, reverse, dim, underline)")
                }
            }
            roles[role] = style
        }
        return Theme(name: name, roles: roles)
    }

    static func color(_ value: any TOMLValueConvertible) -> ThemeColor? {
        if let index = value.int { return (0...255).contains(index) ? .indexed(index) : nil }
        guard let text = value.string else { return nil }
        if text == "default" { return .default }
        let hex = text.hasPrefix("#") ? text.dropFirst() : ""
        guard hex.count == 6, let number = UInt32(hex, radix: 16) else { return nil }
        return .rgb(UInt8(number >> 16), UInt8((number >> 8) & 0xFF), UInt8(number & 0xFF))
    }
}
