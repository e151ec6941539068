import Foundation

/// A path as given on the command line, made absolute against the working folder and
/// standardized: a relative `--journal` names the same file, and so the same runtime file,
/// whatever folder the next command runs in.
public enum AbsolutePath {
    public static func of(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
