import Foundation

/// The processes of `/proc`: which one holds a socket, what it runs, and when it started (so
/// a pid reused by another program is never taken for the one cached).
struct ProcessTable {
    let procRoot: String

    /// The pid of a process holding socket `inode`, looking first at `likely` (processes that
    /// called before: a job's keep-alive pool opens its connections from one process), then at
    /// the processes of `uid`, newest first. Nil when none may be read (another user's, without
    /// root; `/proc` mounted with hidepid) or the socket's process is gone.
    func holder(ofSocket inode: UInt64, uid: UInt32, likely: [Int32]) -> Int32? {
        guard inode != 0 else { return nil }
        let link = Array("socket:[\(inode)]".utf8)
        for pid in likely where holds(pid: pid, link: link) { return pid }
        let tried = Set(likely)
        for pid in pids(ownedBy: uid) where !tried.contains(pid) && holds(pid: pid, link: link) { return pid }
        return nil
    }

    /// The pids of `/proc` owned by `uid`, highest first.
    func pids(ownedBy uid: UInt32) -> [Int32] {
        guard let directory = opendir(procRoot) else { return [] }
        defer { closedir(directory) }
        var found: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let pid = Int32(name), pid > 0 else { continue }
            var status = stat()
            guard stat(procRoot + "/" + name, &status) == 0, status.st_uid == uid else { continue }
            found.append(pid)
        }
        return found.sorted(by: >)
    }

    /// Whether one of `pid`'s descriptors is the socket whose link text is `link`.
    func holds(pid: Int32, link: [UInt8]) -> Bool {
        let folder = procRoot + "/\(pid)/fd"
        guard let directory = opendir(folder) else { return false }
        defer { closedir(directory) }
        var target = [UInt8](repeating: 0, count: 64)
        while let entry = readdir(directory) {
            let matched = withUnsafeBytes(of: entry.pointee.d_name) { raw -> Bool in
                guard raw.first != UInt8(ascii: ".") else { return false }
                let name = String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                let count = target.withUnsafeMutableBufferPointer { buffer in
                    buffer.withMemoryRebound(to: CChar.self) { readlink(folder + "/" + name, $0.baseAddress!, $0.count) }
                }
                return count == link.count && target[0..<count].elementsEqual(link)
            }
            if matched { return true }
        }
        return false
    }

    /// What `pid` runs: its arguments (at most 4 KiB of them: only the program and its script
    /// are ever used), and its start time in clock ticks after boot; nil once it is gone.
    func process(_ pid: Int32) -> (arguments: [String], started: UInt64)? {
        guard let started = startTime(pid) else { return nil }
        var arguments = (ProcFile.read(procRoot + "/\(pid)/cmdline", limit: 4_096) ?? [])
            .split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        while arguments.last?.isEmpty == true { arguments.removeLast() }
        if arguments.isEmpty, let comm = ProcFile.read(procRoot + "/\(pid)/comm", limit: 64) {
            // A kernel thread, or a process that cleared its arguments: its 15-byte name.
            arguments = [String(decoding: comm, as: UTF8.self).trimmingCharacters(in: .newlines)]
        }
        // Read again: a pid reused between the two reads would pair one program's arguments
        // with another's start.
        guard startTime(pid) == started else { return nil }
        return (arguments, started)
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
