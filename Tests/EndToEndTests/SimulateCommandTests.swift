import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("mapitop simulate, headless")
struct SimulateCommandTests {
    @Test("--help documents every flag")
    func help() async {
        let result = await Spawn.detached(Binary.path, ["simulate", "--help"])
        #expect(result.status == 0)
        for flag in ["--host", "--port", "--seed", "--token", "--traffic", "--fault-rate", "--latency-ms", "--quota-per-minute"] {
            #expect(result.output.contains(flag), "\(flag) is not documented")
        }
    }

    @Test("Ctrl-C (SIGINT) stops it cleanly, exit 0")
    func interrupt() async throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-sim-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let pid = Spawn.launch(Binary.path, ["simulate", "--port", "0", "--token", "a=b", "--traffic"], outputFile: output)
        #expect(pid > 0)
        let deadline = ContinuousClock.now + .seconds(60)
        func text() -> String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }
        while !text().contains("mapitop simulate: listening on"), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(text().contains("tokens: a (admin), steady (admin)"))
        #expect(!text().contains("sim-steady-"))
        kill(pid, SIGINT)
        var status: Int32 = 0
        var reaped: pid_t = 0
        while reaped == 0, ContinuousClock.now < deadline {
            reaped = waitpid(pid, &status, WNOHANG)
            if reaped == 0 { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(reaped == pid)
        #expect((status & 0x7F) == 0, "ended by signal \(status & 0x7F)")
        #expect(((status >> 8) & 0xFF) == 0)
    }
}
