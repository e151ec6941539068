import Foundation

/// The kernel's socket table (`/proc/net/tcp` and `tcp6`), read for one connection: which
/// user owns the job's end of it, and the socket's inode, by which `ProcessTable` finds the
/// process. One line per socket: `sl local rem st tx:rx tr:when retrnsmt uid timeout inode …`,
/// addresses as hex `ADDRESS:PORT`.
struct SocketTable {
    struct Entry: Equatable, Sendable {
        let uid: UInt32
        /// 0 for a socket no process holds any more (closing, or its process gone).
        let inode: UInt64
    }

    let procRoot: String

    /// The job's end of a connection to the tap: its local port is the tap's peer port and
    /// its remote port the tap's own (the fallback where netlink cannot be asked, matched by
    /// ports alone). Both tables are read (`tcp` lists v4 sockets, `tcp6` v6 ones); nil when
    /// neither lists it (already closed) or neither can be read.
    func jobSocket(jobPort: Int, tapPort: Int) -> Entry? {
        for name in ["tcp", "tcp6"] {
            guard let text = ProcFile.read(procRoot + "/net/" + name, limit: 64 << 20) else { continue }
            if let entry = Self.find(in: text, localPort: jobPort, remotePort: tapPort) { return entry }
        }
        return nil
    }

    /// The entry whose local port is `localPort` and remote port `remotePort`, from a table's text.
    static func find(in text: [UInt8], localPort: Int, remotePort: Int) -> Entry? {
        var lineStart = 0
        while lineStart < text.count {
            let lineEnd = text[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? text.count
            if let entry = entry(text[lineStart..<lineEnd], localPort: localPort, remotePort: remotePort) { return entry }
            lineStart = lineEnd + 1
        }
        return nil
    }

    /// One line's entry when it is the socket sought; nil for the header and any other line.
    private static func entry(_ line: ArraySlice<UInt8>, localPort: Int, remotePort: Int) -> Entry? {
        let fields = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        // sl, local, rem, st, tx:rx, tr:when, retrnsmt, uid, timeout, inode
        guard fields.count >= 10, port(of: fields[1]) == localPort, port(of: fields[2]) == remotePort,
            let uid = UInt32(String(decoding: fields[7], as: UTF8.self)),
            let inode = UInt64(String(decoding: fields[9], as: UTF8.self))
        else { return nil }
        return Entry(uid: uid, inode: inode)
    }

    /// The port of `ADDRESS:PORT`, the port in hex.
    private static func port(of field: ArraySlice<UInt8>) -> Int? {
        guard let colon = field.lastIndex(of: UInt8(ascii: ":")) else { return nil }
        return Int(String(decoding: field[(colon + 1)...], as: UTF8.self), radix: 16)
    }
}

/// Reads a file of `/proc`, whose size `stat` reports as 0, to its end or `limit`.
enum ProcFile {
    static func read(_ path: String, limit: Int) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while bytes.count < limit {
            let count = chunk.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: chunk[0..<min(count, limit - bytes.count)])
        }
        return bytes
    }
}
