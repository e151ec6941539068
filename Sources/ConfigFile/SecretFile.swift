import Foundation
import ManagementAPI

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a secret file, refusing one that others can read, as ssh does for keys.
enum SecretFile {
    static func read(_ path: String, fail: (String) throws(ConfigError) -> Never) throws(ConfigError) -> Secret {
        var info = stat()
        guard stat(path, &info) == 0 else {
            // The value names no file: it may be a secret pasted into the wrong key, so it is
            // described, never quoted (a path that exists is quoted below: it is a path).
            try fail("names no file that can be read (\(String(cString: strerror(errno)))); "
                + "secret_file takes the path of a file that holds the secret, never the secret itself")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { try fail("'\(path)' is not a regular file") }
        if info.st_mode & 0o077 != 0 {
            try fail("'\(path)' is readable by group or others (mode \(String(info.st_mode & 0o777, radix: 8))); fix it with: chmod 600 '\(path)'")
        }
        guard let data = FileManager.default.contents(atPath: path) else { try fail("cannot read '\(path)'") }
        let value = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else { try fail("'\(path)' is empty") }
        return Secret(value)
    }
}

/// How a secret reference that resolves to nothing is described: never by quoting a value that
/// could be the secret itself, pasted into the wrong key.
enum SecretReference {
    /// A conventional environment variable name (upper case, digits and at least one `_`, as
    /// in JWP_SECRET_INGEST), which is safe to quote; anything else may be a secret (an
    /// upper-case key such as AKIA… has no `_`).
    static func looksLikeVariableName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, bytes.count <= 64, bytes.contains(UInt8(ascii: "_")),
              !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return bytes.allSatisfy { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
        }
    }

    /// `isSet`: the variable exists (empty): its name is then surely a name.
    static func unsetVariable(_ variable: String, isSet: Bool) -> String {
        guard isSet || looksLikeVariableName(variable) else {
            return "names no environment variable that is set, and is not shown: a variable name is upper case, digits and '_' "
                + "(secret_env takes the name of a variable that holds the secret, never the secret itself)"
        }
        return "environment variable \(variable) is not set or empty"
    }
}
