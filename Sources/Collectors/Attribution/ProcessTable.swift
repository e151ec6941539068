import Foundation

/// The processes of `/proc`: which one holds a socket, what it runs, and when it started (so
/// a pid reused by another program is never taken for the one cached).
struct ProcessTable {
    let procRoot: String

    /// The pid of a process holding socket `inode`, looking first at `likely` (processes that
    /// called before: a job's keep-alive pool opens its connections from one process), then at
    /// the processes of `uid`, newest first (a job just started is the likeliest caller). Nil
    /// when none may be read (another user's, without root; `/proc` mounted with hidepid) or
    /// the socket's process is gone. Every path is opened relative to `/proc`'s own descriptor:
    /// a scan of 500 processes resolves no path from the root.
    func holder(ofSocket inode: UInt64, uid: UInt32, likely: [Int32]) -> Int32? {
        guard inode != 0 else { return nil }
        let root = open(procRoot, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard root >= 0 else { return nil }
        defer { close(root) }
        let link = Array("socket:[\(inode)]".utf8)
        for pid in likely where holds(pid: pid, link: link, root: root) { return pid }
        let tried = Set(likely)
        for pid in pids(ownedBy: uid, root: root) where !tried.contains(pid) && holds(pid: pid, link: link, root: root) { return pid }
        return nil
    }

    /// The pids of `/proc` owned by `uid`, highest first.
    func pids(ownedBy uid: UInt32, root: Int32) -> [Int32] {
        let listing = dup(root)
        guard listing >= 0 else { return [] }
        guard let directory = fdopendir(listing) else {
            close(listing)
            return []
        }
        // A dup shares its offset with `root`: read from the start.
        rewinddir(directory)
        defer { closedir(directory) }
        var found: [Int32] = []
        while let entry = readdir(directory) {
            let pid = withUnsafeBytes(of: entry.pointee.d_name) { raw -> Int32? in
                let name = raw.prefix { $0 != 0 }
                guard !name.isEmpty, name.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
                return Int32(String(decoding: name, as: UTF8.self))
            }
            guard let pid, pid > 0 else { continue }
            var status = stat()
            guard fstatat(root, String(pid), &status, 0) == 0, status.st_uid == uid else { continue }
            found.append(pid)
        }
        return found.sorted(by: >)
    }

    /// Whether one of `pid`'s descriptors is the socket whose link text is `link`.
    func holds(pid: Int32, link: [UInt8], root: Int32) -> Bool {
        let folder = openat(root, "\(pid)/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folder >= 0 else { return false }
        guard let directory = fdopendir(folder) else {
            close(folder)
            return false
        }
        defer { closedir(directory) }
        let descriptor = dirfd(directory)
        var target = [UInt8](repeating: 0, count: 64)
        while let entry = readdir(directory) {
            let matched = withUnsafeBytes(of: entry.pointee.d_name) { raw -> Bool in
                guard let first = raw.first, first != UInt8(ascii: ".") else { return false }
                let count = raw.withMemoryRebound(to: CChar.self) { name in
                    target.withUnsafeMutableBufferPointer { buffer in
                        buffer.withMemoryRebound(to: CChar.self) { readlinkat(descriptor, name.baseAddress!, $0.baseAddress!, $0.count) }
                    }
                }
                return count == link.count && target[0..<count].elementsEqual(link)
            }
            if matched { return true }
        }
        return false
    }

    /// What `pid` runs: its arguments (at most 4 KiB of them: only the program and its script
    /// are ever used), and its start time in clock ticks after boot; nil once it is gone.
    func process(_ pid: Int32) -> (arguments: [String], comm: String?, started: UInt64)? {
        guard let started = startTime(pid) else { return nil }
        var arguments = (ProcFile.read(procRoot + "/\(pid)/cmdline", limit: 4_096) ?? [])
            .split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        while arguments.last?.isEmpty == true { arguments.removeLast() }
        // The kernel's 15-byte name: for a kernel thread, or a process that cleared or
        // rewrote its arguments.
        let comm = ProcFile.read(procRoot + "/\(pid)/comm", limit: 64)
            .map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .newlines) }
        // Read again: a pid reused between the reads would pair one program's arguments
        // with another's start.
        guard startTime(pid) == started else { return nil }
        return (arguments, comm, started)
    }

    /// Field 22 of `/proc/PID/stat`, read after the command name's closing parenthesis (the
    /// name itself may hold spaces and parentheses).
    func startTime(_ pid: Int32) -> UInt64? {
        guard let bytes = ProcFile.read(procRoot + "/\(pid)/stat", limit: 4_096),
            let close = bytes.lastIndex(of: UInt8(ascii: ")"))
        else { return nil }
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "))
        // After ")": state is field 3, so start time (22) is the 20th.
        guard fields.count >= 20 else { return nil }
        return UInt64(String(decoding: fields[19], as: UTF8.self))
    }
}
