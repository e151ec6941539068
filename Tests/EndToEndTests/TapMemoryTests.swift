import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Many slow, large uploads at once against the real `mapitop tap`: what it buffers stays
/// within its byte budget (64 MiB), the rest is refused, its memory stays bounded, and a job
/// that calls meanwhile is answered.
@Suite("mapitop tap under 300 slow uploads")
struct TapMemoryTests {
    static let uploads = 300
    /// Bytes each upload sends of the 16 MiB it announces, then stops: 300 MiB in all.
    static let sentEach = 1 << 20
    static let rssLimitKiB = 256 * 1_024

    @Test("300 uploads of 16 MiB that stall after 1 MiB: peak RSS under 256 MiB, uploads past the budget refused, a GET answered")
    func slowUploads() async throws {
        let simulator = try await SimulatorProcess.start(["--token", "ops=tap-memory-secret"])
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-tapmem-\(UUID().uuidString).log").path
        let pid = Spawn.launch(Binary.path, ["tap", "--listen", "127.0.0.1:0", "--upstream", simulator.base], outputFile: output)
        #expect(pid > 0)
        defer {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            try? FileManager.default.removeItem(atPath: output)
        }
        func text() -> String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }
        #expect(await eventually { text().contains("listening on http://127.0.0.1:") }, "\(text())")
        let banner = text()
        let port = try #require(banner.range(of: "127.0.0.1:").map { Int(banner[$0.upperBound...].prefix { $0.isNumber }) } ?? nil)
        // The baseline for the figure: the tap listening, before any upload.
        let idle = try #require(ProcessMemory.kiB(pid, field: "VmRSS"))

        // Sent from a thread of their own: 300 MiB of writes would hold a cooperative thread.
        let sockets = try await Blocking.run { () throws -> [Int32] in
            let chunk = [UInt8](repeating: 0x61, count: 64 << 10)
            var sockets: [Int32] = []
            for _ in 0..<Self.uploads {
                let fd = try LoopbackSocket.connect(port: port)
                var timeout = timeval(tv_sec: 60, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                sockets.append(fd)
                let head = Array("POST /v2/webhooks/ HTTP/1.1\r\nHost: x\r\nContent-Length: \(16 << 20)\r\n\r\n".utf8)
                _ = head.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                var sent = 0
                while sent < Self.sentEach {
                    let count = chunk.withUnsafeBytes { send(fd, $0.baseAddress, min($0.count, Self.sentEach - sent), Int32(MSG_NOSIGNAL)) }
                    if count <= 0 { break }
                    sent += count
                }
            }
            return sockets
        }
        defer { sockets.forEach { close($0) } }

        // A job that calls meanwhile is answered.
        let answer = try await RecordClient.call("http://127.0.0.1:\(port)/v2/webhooks/", secret: "tap-memory-secret")
        #expect(answer.status == 200)
        let peak = try #require(ProcessMemory.kiB(pid, field: "VmHWM"))
        #expect(peak < Self.rssLimitKiB, "peak RSS \(peak) KiB")
        // The budget held: most of the 300 MiB was refused, not kept.
        #expect(await eventually { text().components(separatedBy: " 503 ").count - 1 >= Self.uploads / 2 }, "\(text().suffix(2_000))")
        print("tap under \(Self.uploads) slow uploads (\(Self.uploads * Self.sentEach >> 20) MiB sent): peak RSS \(peak) KiB, "
              + "\(String(format: "%.2f", Double(peak) / Double(idle)))x its \(idle) KiB idle")
        withExtendedLifetime(simulator) {}
    }
}
