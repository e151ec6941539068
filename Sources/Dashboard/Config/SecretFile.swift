import Foundation
import ManagementAPI

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a secret file, refusing one that others can read, as ssh does for keys.
enum SecretFile {
    static func read(_ path: String, fail: (String) throws(ConfigError) -> Never) throws(ConfigError) -> Secret {
        var info = stat()
        guard stat(path, &info) == 0 else { try fail("cannot read '\(path)': \(String(cString: strerror(errno)))") }
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
