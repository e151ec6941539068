@testable import Collectors
import Foundation
import ManagementAPI
import NIOPosix
import TestSupport
import Testing

/// A `/proc` of files in a temporary folder: the kernel's tables as text, one process folder
/// per pid with its `stat`, `cmdline` and `fd` links, so every fault (a process gone, a pid
/// reused, a table that cannot be read, hidepid) is one change to a file.
final class FakeProc {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("fake-proc-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/net", withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    static let header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"

    /// One established socket of the table: the job's end, port `jobPort` to `tapPort`.
    func socket(jobPort: Int, tapPort: Int, uid: Int, inode: Int, table: String = "tcp") throws {
        let line = "   0: 0100007F:\(String(jobPort, radix: 16, uppercase: true)) 0100007F:\(String(tapPort, radix: 16, uppercase: true)) "
            + "01 00000000:00000000 00:00000000 00000000  \(uid)        0 \(inode) 1 0000000000000000 20 4 30 10 -1\n"
        let path = root + "/net/" + table
        let existing = (try? String(contentsOfFile: path, encoding: .utf8)) ?? Self.header
        try (existing + line).write(toFile: path, atomically: true, encoding: .utf8)
    }

    func process(_ pid: Int, arguments: [String], started: Int, sockets: [Int]) throws {
        let folder = root + "/\(pid)"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder + "/fd", withIntermediateDirectories: true)
        try Data((arguments.joined(separator: "\0") + "\0").utf8).write(to: URL(fileURLWithPath: folder + "/cmdline"))
        // The name in parentheses may hold spaces and parentheses of its own.
        let stat = "\(pid) (we (ird) name) S 1 \(pid) \(pid) 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 \(started) 1000 100\n"
        try stat.write(toFile: folder + "/stat", atomically: true, encoding: .utf8)
        for (index, inode) in sockets.enumerated() {
            try FileManager.default.createSymbolicLink(atPath: folder + "/fd/\(index + 3)", withDestinationPath: "socket:[\(inode)]")
        }
        try FileManager.default.createSymbolicLink(atPath: folder + "/fd/0", withDestinationPath: "/dev/null")
    }

    func remove(_ pid: Int) { try? FileManager.default.removeItem(atPath: root + "/\(pid)") }
}

@Suite("Who is calling: the socket table, the process, its name")
struct CallerLookupTests {
    let uid = Int(getuid())

    @Test("a socket's owner and process are found, and only the script's name is kept")
    func found() throws {
        let proc = try FakeProc()
        try proc.socket(jobPort: 40_001, tapPort: 8_787, uid: uid, inode: 9_001)
        try proc.process(4_242, arguments: ["python3", "/opt/jobs/nightly-ingest.py", "--token", "hunter2"], started: 77, sockets: [9_001])
        let caller = CallerLookup(procRoot: proc.root).lookUp(jobPort: 40_001, tapPort: 8_787)
        #expect(caller == Caller(uid: UInt32(uid), pid: 4_242, program: "python3", script: "nightly-ingest.py"))
    }

    @Test("a v4 client of a dual-stack listener is found in tcp6")
    func sixTable() throws {
        let proc = try FakeProc()
        try "".write(toFile: proc.root + "/net/tcp", atomically: true, encoding: .utf8)
        try proc.socket(jobPort: 40_002, tapPort: 8_787, uid: uid, inode: 9_002, table: "tcp6")
        try proc.process(77, arguments: ["/usr/local/bin/sync"], started: 5, sockets: [9_002])
        #expect(CallerLookup(procRoot: proc.root).lookUp(jobPort: 40_002, tapPort: 8_787).program == "sync")
    }

    @Test("a process gone before it is read, or hidden (hidepid, another user's): the uid alone")
    func goneOrHidden() throws {
        let proc = try FakeProc()
        try proc.socket(jobPort: 40_003, tapPort: 8_787, uid: uid, inode: 9_003)
        let lookup = CallerLookup(procRoot: proc.root)
        #expect(lookup.lookUp(jobPort: 40_003, tapPort: 8_787) == Caller(uid: UInt32(uid)))
        try proc.process(90, arguments: ["node", "a.js"], started: 1, sockets: [1])
        #expect(lookup.lookUp(jobPort: 40_003, tapPort: 8_787) == Caller(uid: UInt32(uid)))
        #expect(JobNaming().name(of: lookup.lookUp(jobPort: 40_003, tapPort: 8_787), userAgent: nil) == "uid \(uid)")
    }

    @Test("a socket table that cannot be read, or a socket it no longer lists: nothing is known")
    func noTable() throws {
        let proc = try FakeProc()
        let lookup = CallerLookup(procRoot: proc.root)
        #expect(lookup.lookUp(jobPort: 40_004, tapPort: 8_787) == .unknown)
        try proc.socket(jobPort: 40_005, tapPort: 8_787, uid: uid, inode: 9_005)
        #expect(lookup.lookUp(jobPort: 40_004, tapPort: 8_787) == .unknown)
        // The server's own end (ports the other way round) is not the job's.
        #expect(lookup.lookUp(jobPort: 8_787, tapPort: 40_005) == .unknown)
    }

    @Test("a pid reused by another program is read anew, not taken from the cache")
    func pidReused() throws {
        let proc = try FakeProc()
        try proc.socket(jobPort: 40_006, tapPort: 8_787, uid: uid, inode: 9_006)
        try proc.process(500, arguments: ["python3", "first.py"], started: 100, sockets: [9_006])
        let lookup = CallerLookup(procRoot: proc.root)
        #expect(lookup.lookUp(jobPort: 40_006, tapPort: 8_787).script == "first.py")
        try proc.socket(jobPort: 40_007, tapPort: 8_787, uid: uid, inode: 9_007)
        try proc.process(500, arguments: ["python3", "second.py"], started: 200, sockets: [9_007])
        #expect(lookup.lookUp(jobPort: 40_007, tapPort: 8_787).script == "second.py")
    }

    @Test("a recent caller is looked at first; otherwise the newest process")
    func recentFirst() throws {
        let proc = try FakeProc()
        try proc.socket(jobPort: 40_008, tapPort: 8_787, uid: uid, inode: 9_008)
        try proc.socket(jobPort: 40_009, tapPort: 8_787, uid: uid, inode: 9_009)
        try proc.process(600, arguments: ["java", "-jar", "sync.jar"], started: 1, sockets: [9_008])
        // A child sharing its parent's socket (a fork), newer than the parent.
        try proc.process(700, arguments: ["ruby", "report.rb"], started: 2, sockets: [9_008, 9_009])
        let lookup = CallerLookup(procRoot: proc.root)
        // Nothing recent: the scan goes newest first and finds the child.
        #expect(lookup.lookUp(jobPort: 40_008, tapPort: 8_787).pid == 700)
        // Once the parent has called, it is looked at first.
        let remembering = CallerLookup(procRoot: proc.root)
        try proc.process(700, arguments: ["ruby", "report.rb"], started: 2, sockets: [9_009])
        #expect(remembering.lookUp(jobPort: 40_008, tapPort: 8_787).pid == 600)
        try proc.process(700, arguments: ["ruby", "report.rb"], started: 2, sockets: [9_008, 9_009])
        #expect(remembering.lookUp(jobPort: 40_008, tapPort: 8_787).pid == 600)
    }

    @Test("the socket table's lines are read by their fields")
    func tableLines() {
        let text = FakeProc.header
            + "   1: 0100007F:1F93 0100007F:9C41 01 00000000:00000000 00:00000000 00000000  1000        0 31337 1 0 20 4 30 10 -1\n"
            + "   2: garbage\n"
        #expect(SocketTable.find(in: Array(text.utf8), localPort: 0x1F93, remotePort: 0x9C41) == .init(uid: 1000, inode: 31_337))
        #expect(SocketTable.find(in: Array(text.utf8), localPort: 0x9C41, remotePort: 0x1F93) == nil)
        #expect(SocketTable.find(in: [], localPort: 1, remotePort: 2) == nil)
    }
}

@Suite("The tap names each call's job")
struct TapAttributionTests {
    @Test("a real script calling through the tap is its job, this process's calls are its own, with routes")
    func realProcesses() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("attribution-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let script = folder + "/attribution-probe.py"
        try """
            import sys, urllib.request
            request = urllib.request.Request(
                "http://127.0.0.1:%s/v2/sites/Abc12345/media/XyZ98765/" % sys.argv[1],
                headers={"Authorization": "Bearer " + sys.argv[2], "User-Agent": "probe-agent/1"})
            urllib.request.urlopen(request).read()
            """.write(toFile: script, atomically: true, encoding: .utf8)
        try await ScriptedUpstream.with(answer: { _ in .init() }) { upstream in
            try await withTap(upstream: "http://127.0.0.1:\(upstream.port)") { port, sink in
                let status = try await Blocking.run { try Self.run("/usr/bin/env", ["python3", script, String(port), "secret-on-the-command-line"]) }
                #expect(status == 0)
                _ = try await call("http://127.0.0.1:\(port)", .GET, "/v2/webhooks/", secret: "s")
                let records = await sink.settled()
                #expect(records.count == 2)
                let own = ProgramName.of(CommandLine.arguments).map { JobNaming().name(of: Caller(program: $0.program, script: $0.script), userAgent: nil) }
                #expect(records.map(\.job) == ["attribution-probe.py", own ?? "?"])
                #expect(records.map(\.route) == ["/v2/sites/{site_id}/media/{media_id}/", "/v2/webhooks/"])
                #expect(!records.contains { $0.job.contains("secret") })
            }
        }
    }

    @Test("200 programs and 10 000 paths: at most 50 jobs a token and 200 routes, the rest other")
    func capsHold() async throws {
        let attribution = TapAttribution(naming: JobNaming())
        let token = TokenReference(fingerprint: Secret("s").fingerprint, label: "a")
        var jobs = Set<String>()
        var routes = Set<String>()
        for index in 0..<10_000 {
            // Distinct words of letters: each path is a route of its own until the cap.
            let word = String(String(index, radix: 26).unicodeScalars.map { Character(Unicode.Scalar($0.value < 0x3A ? $0.value + 49 : $0.value + 10)!) })
            let record = CallRecord(
                time: Date(), token: token, method: "GET", path: "/v2/\(word)/", outcome: .status(200), latency: .zero,
                rate: .unknown, errors: [], source: .tap)
            let caller = Caller(uid: 1, pid: Int32(index % 200), program: "program-\(index % 200)")
            let lookup = CallerCell(known: caller, on: MultiThreadedEventLoopGroup.singleton.next())
            let named = await attribution.attribute(TappedCall(record: record, requestBody: nil, query: nil, caller: lookup, userAgent: nil))
            jobs.insert(named.record.job)
            routes.insert(named.record.route)
        }
        #expect(jobs.count == JobName.cap + 1 && jobs.contains(JobName.other))
        #expect(routes.count == APIRoute.cap + 1 && routes.contains(APIRoute.other))
    }

    private static func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
