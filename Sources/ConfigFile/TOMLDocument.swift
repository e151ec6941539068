import TOMLKit

/// Parses TOML text for the configuration and theme loaders, turning syntax errors into
/// `ConfigError`s that name the file and line.
public enum TOMLDocument {
    public static func parse(_ text: String, file: String) throws(ConfigError) -> TOMLTable {
        do {
            return try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(file: file, line: error.source.begin.line, key: nil, message: "not valid TOML: \(error.description)")
        } catch {
            throw ConfigError(file: file, line: nil, key: nil, message: "not valid TOML")
        }
    }
}
