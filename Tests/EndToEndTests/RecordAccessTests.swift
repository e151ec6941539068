import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The journal is 0600; its admin server must not hand its calls to a user who could not read
/// the file. Tried with a second real user of this machine, created for the test.
@Suite("mapitop record: what another user of this machine may read", .enabled(if: getuid() == 0, "creating a second user needs root"))
struct RecordAccessTests {
    /// `curl` as `user` (root when nil): the status of `url`.
    /// `seconds`: how long curl reads; an event stream never ends, and its status is the one
    /// curl received before it stopped reading.
    static func status(_ url: String, as user: String?, host: String? = nil, seconds: Int = 30) async -> String {
        var command = ["curl", "-q", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", String(seconds)]
        if let host { command += ["-H", "Host: \(host)"] }
        command.append(url)
        let line = user.map { ["runuser", "-u", $0, "--"] + command } ?? command
        return await Spawn.detached(line[0], Array(line.dropFirst())).output
    }

    @Test("a second user gets 403 on /v1/calls and /v1/events and 200 on /healthz and /metrics; once [admin] readers names them, 200; a foreign Host is 421")
    func secondUser() async throws {
        let user = "mtop\(UInt32.random(in: 0...UInt32.max) % 1_000_000)"
        let created = await Spawn.detached("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", user])
        try #require(created.status == 0, "useradd: \(created.output)")
        // The user goes whatever the checks do.
        do {
            try await Self.check(user)
        } catch {
            _ = await Spawn.detached("userdel", [user])
            throw error
        }
        _ = await Spawn.detached("userdel", [user])
    }

    static func check(_ user: String) async throws {
        for readers in [[], [user]] {
            let home = try RecorderHome()
            defer { home.cleanUp() }
            let names = readers.map { "\"\($0)\"" }.joined(separator: ", ")
            let config = try home.write("config.toml", "[admin]\nreaders = [\(names)]\n")
            let recorder = try await RecorderProcess.start(home: home, config: config)
            let admin = recorder.adminBase
            let calls = admin + "/v1/calls?from=2001-01-01T00:00:00Z"
            let expected = readers.isEmpty ? "403" : "200"
            #expect(await Self.status(calls, as: user) == expected, "readers \(readers)")
            #expect(await Self.status(admin + "/v1/events?since=0", as: user, seconds: 5) == expected, "readers \(readers)")
            #expect(await Self.status(admin + "/healthz", as: user) == "200")
            #expect(await Self.status(admin + "/metrics", as: user) == "200")
            #expect(await Self.status(calls, as: nil) == "200", "the recorder's own user")
            #expect(await Self.status(admin + "/healthz", as: nil, host: "evil.example:\(recorder.adminPort)") == "421")
            #expect(await recorder.terminate() == 0, "stderr: \(recorder.stderr)")
        }
    }
}
