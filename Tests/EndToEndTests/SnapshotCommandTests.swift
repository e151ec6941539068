import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ManagementAPI
import Simulator
import Testing
import TestSupport

@Suite("mapitop snapshot: exit codes and output")
struct SnapshotCommandTests {
    static let secret = "snapshot-secret-7f3a9c"

    func config(port: Int, secretVariable: String = "SNAP_SECRET") throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-snap-\(UUID().uuidString).toml").path
        let text = """
            api_base = "http://127.0.0.1:\(port)"
            [[token]]
            label = "ingest"
            secret_env = "\(secretVariable)"
            site_id = "Abcd1234"
            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func snapshot(_ config: String, json: Bool = false, secret: String = secret) async -> Spawn.Result {
        await Spawn.detached(Binary.path, ["snapshot", "--config", config] + (json ? ["--json"] : []), environment: ["SNAP_SECRET": secret])
    }

    func burn(_ count: Int, port: Int) async {
        let client = ManagementClient(configuration: .init(baseURL: "http://127.0.0.1:\(port)"), httpClient: HTTPClient.shared,
                                      logger: Logger(label: "test"))
        let token = Token(label: "other", secret: Secret(Self.secret))
        for _ in 0..<count { _ = await client.send(.listWebhooks(), token: token, source: .tap) }
    }

    /// (calls another client burns first, the exit code)
    @Test("exit 0 when fresh, 1 past 70%, 2 past 90%", arguments: [(0, 0), (45, 1), (56, 2)])
    func usageExitCodes(burned: Int, code: Int32) async throws {
        let app = buildApplication(SimulatorConfiguration(port: 0, tokens: [SimulatedToken(label: "ingest", secret: Self.secret)]))
        try await app.test(.live) { server in
            await burn(burned, port: server.port!)
            let result = await snapshot(try config(port: server.port!))
            #expect(result.status == code, "\(result.output)")
            #expect(result.output.contains("ingest"))
            #expect(result.output.contains("\(burned + 1)"))
            #expect(!result.output.contains(Self.secret))
            let json = await snapshot(try config(port: server.port!), json: true)
            #expect(!json.output.contains(Self.secret))
            let decoded = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
            let token = (decoded?["tokens"] as? [[String: Any]])?.first
            #expect(token?["label"] as? String == "ingest")
            #expect(token?["used"] as? Int == burned + 2)
            #expect(token?["fingerprint"] as? String == Secret(Self.secret).fingerprint.description)
        }
    }

    @Test("an unknown secret exits 2; a closed port exits 3; neither prints the secret")
    func unauthorizedAndUnreachable() async throws {
        let app = buildApplication(SimulatorConfiguration(port: 0, tokens: [SimulatedToken(label: "ingest", secret: "another-secret")]))
        try await app.test(.live) { server in
            let result = await snapshot(try config(port: server.port!))
            #expect(result.status == 2, "\(result.output)")
            #expect(result.output.contains("unauthorized"))
            #expect(!result.output.contains(Self.secret))
        }
        let result = try await withRefusingPort { port in await snapshot(try config(port: port)) }
        #expect(result.status == 3, "\(result.output)")
        #expect(result.output.contains("unreachable"))
        #expect(!result.output.contains(Self.secret))
    }

    @Test("usage errors exit 64 with one line; config errors exit 78 with file, line and key")
    func usageAndConfigErrors() async throws {
        let unknown = await Spawn.detached(Binary.path, ["snapshot", "--bogus"])
        #expect(unknown.status == 64)
        #expect(unknown.output.split(separator: "\n").count == 1)
        #expect(unknown.output.hasPrefix("mapitop: "))
        let missingVariable = await snapshot(try config(port: 1, secretVariable: "NOT_SET_ANYWHERE"))
        #expect(missingVariable.status == 78)
        #expect(missingVariable.output.contains(":4: token[1].secret_env: environment variable NOT_SET_ANYWHERE is not set"))
        #expect(missingVariable.output.split(separator: "\n").count == 1)
    }
}
