import Foundation
import Testing
import TestSupport

/// A collector that cannot run must never fail silently: the program says so in one line
/// naming what failed, and exits non-zero.
@Suite("A collector that cannot start ends the program with one line")
struct CollectorFailureEndToEndTests {
    func config(apiPort: Int) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-taken-\(UUID().uuidString).toml").path
        try """
            api_base = "http://127.0.0.1:\(apiPort)"
            [[token]]
            label = "ingest"
            secret_env = "TAKEN_SECRET"
            site_id = "Abcd1234"
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The lines the program printed before the shell's `__EXIT=`.
    func printed(_ screen: String) -> [Substring] {
        let lines = screen.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces)[...] }
        return Array(lines.prefix { !$0.hasPrefix("__EXIT=") }.filter { !$0.isEmpty })
    }

    @Test("watch --tap on a port another socket holds: one line naming the address, exit non-zero, terminal restored")
    func watchTapPortTaken() async throws {
        try await withRefusingPort { tapPort in
            try await withRefusingPort { apiPort in
                let config = try config(apiPort: apiPort)
                defer { try? FileManager.default.removeItem(atPath: config) }
                let log = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-taken-\(UUID().uuidString).log").path
                defer { try? FileManager.default.removeItem(atPath: log) }
                let tmux = try await Tmux(
                    command: "\(Binary.quoted(Binary.path)) watch --config \(config) --tap 127.0.0.1:\(tapPort) --log-file \(log); echo __EXIT=$?",
                    environment: ["TAKEN_SECRET": "taken-test-secret-42"])
                defer { tmux.stop() }
                let status = await tmux.exitStatus()
                let screen = await tmux.capture()
                #expect(status != nil && status != 0, "\(screen)")
                let lines = printed(screen)
                #expect(lines.count == 1, "\(screen)")
                #expect(lines.first?.contains("127.0.0.1:\(tapPort)") == true, "\(screen)")
                #expect(lines.first?.contains("Address already in use") == true, "\(screen)")
                #expect(!screen.contains("taken-test-secret-42"))
                #expect(await tmux.display("#{alternate_on}") == "0")
            }
        }
    }

    @Test("tap --listen on a port another socket holds: one line naming the address, exit non-zero")
    func tapPortTaken() async throws {
        try await withRefusingPort { port in
            let result = await Spawn.detached(Binary.path, ["tap", "--listen", "127.0.0.1:\(port)", "--upstream", "http://127.0.0.1:9"])
            #expect(result.status != 0)
            let lines = result.output.split(separator: "\n")
            #expect(lines.count == 1, "\(result.output)")
            #expect(lines.first?.contains("127.0.0.1:\(port)") == true, "\(result.output)")
        }
    }

    @Test("simulate --port on a port another socket holds: one line naming the address, exit non-zero")
    func simulatePortTaken() async throws {
        try await withRefusingPort { port in
            let result = await Spawn.detached(Binary.path, ["simulate", "--host", "127.0.0.1", "--port", String(port)])
            #expect(result.status != 0)
            let lines = result.output.split(separator: "\n")
            #expect(lines.count == 1, "\(result.output)")
            #expect(lines.first?.contains("127.0.0.1:\(port)") == true, "\(result.output)")
        }
    }
}
