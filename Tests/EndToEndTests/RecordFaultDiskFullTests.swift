import Foundation
import Hummingbird
import HummingbirdTesting
import NIOHTTP1
import Simulator
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The journal's disk fills up under a running recorder: the tap must keep forwarding, the
/// recorder says so once on stderr and /healthz turns 503; once space is back it writes again.
/// Needs a small tmpfs of its own (root, and a kernel that lets the tests mount), else skipped.
@Suite("mapitop record on a full disk")
struct RecordFaultDiskFullTests {
    static let job = SimulatedToken(label: "job", secret: "record-fault-diskfull-secret-7741")
    /// A body of 32 KiB makes each failed call's row big enough to need new disk blocks.
    static let bigInvalid = #"{"metadata":{"title":"","note":""# + String(repeating: "x", count: 32 << 10) + #""},"upload":{}}"#

    /// Mounts a 4 MiB tmpfs at `path`, or nil when this machine does not allow it.
    static func mountSmall(_ path: String) -> Bool {
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return mount("tmpfs", path, "tmpfs", 0, "size=4m,mode=0700") == 0
    }

    static let canMount: Bool = {
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-tmpfs-probe-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: probe) }
        guard mountSmall(probe) else { return false }
        umount(probe)
        return true
    }()

    /// Writes zeros until the file system says it is full.
    static func fill(_ path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0, count: 16 << 10)
        while chunk.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
    }

    @Test("on a full tmpfs the tap keeps answering, stderr says once that the journal is dropping and /healthz is 503; with space back it says 'writing again' and /healthz is 200",
          .enabled(if: canMount, "mounting a tmpfs is not permitted here"))
    func diskFull() async throws {
        let simulator = buildApplication(SimulatorConfiguration(port: 0, seed: 17, tokens: [Self.job], quotaPerMinute: 1_000_000))
        try await simulator.test(.live) { server in
            let home = try RecorderHome()
            defer { home.cleanUp() }
            let small = home.path + "/small"
            try #require(Self.mountSmall(small))
            defer { umount2(small, Int32(MNT_DETACH)) }
            let journal = small + "/journal.sqlite"
            let recorder = try await RecorderProcess.start(home: home, tap: true, arguments: [
                "--api-base", "http://127.0.0.1:\(server.port!)", "--journal", journal,
            ])
            defer { recorder.signal(SIGKILL) }
            let tap = try #require(recorder.tapBase)
            let fail = { try await RecordClient.call(tap + "/v2/sites/Abcd1234/media/", method: .POST, secret: Self.job.secret,
                                                     body: Self.bigInvalid, timeout: .seconds(60)).status }
            let health = { try await RecordClient.call(recorder.adminBase + "/healthz", timeout: .seconds(60)).status }

            #expect(try await fail() == 400)
            #expect(try await RecordClient.eventually { try await health() == 200 })

            Self.fill(small + "/filler")
            var statuses: [Int] = []
            let dropping = try await RecordClient.eventually(within: .seconds(60)) {
                statuses.append(try await fail())
                guard recorder.stderr.contains("is dropping records") else { return false }
                return try await health() == 503
            }
            #expect(dropping, "after \(statuses.count) calls on a full disk; stderr: \(recorder.stderr)")
            for _ in 0..<5 { statuses.append(try await fail()) }
            #expect(statuses.allSatisfy { $0 == 400 }, "the tap stopped answering on a full disk: \(statuses)")
            #expect(recorder.stderr.components(separatedBy: "is dropping records").count - 1 == 1, "stderr: \(recorder.stderr)")

            try FileManager.default.removeItem(atPath: small + "/filler")
            let recovered = try await RecordClient.eventually(within: .seconds(60)) {
                _ = try await fail()
                guard recorder.stderr.contains("writing again") else { return false }
                return try await health() == 200
            }
            #expect(recovered, "stderr: \(recorder.stderr)")
            #expect(!recorder.stderr.contains(Self.job.secret))
            #expect(await recorder.terminate() == 0, "stderr: \(recorder.stderr)")
        }
    }
}
