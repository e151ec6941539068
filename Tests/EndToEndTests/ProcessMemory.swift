import Foundation

/// What /proc says of a process's memory.
enum ProcessMemory {
    /// A figure of /proc/PID/status in KiB: VmHWM is the peak resident size over the process's
    /// life, VmRSS the resident size now.
    static func kiB(_ pid: pid_t, field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") })
        else { return nil }
        return line.split(separator: " ").compactMap { Int($0) }.first
    }
}
