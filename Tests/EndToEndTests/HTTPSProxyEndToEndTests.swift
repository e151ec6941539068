import Foundation
import Hummingbird
import HummingbirdTesting
import Simulator
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The tap as an HTTPS proxy (issue 25, DESIGN.md section 11), with real clients whose code
/// is not changed beyond what their documentation offers: curl and Python requests through
/// `HTTPS_PROXY` and the bundle `mapitop env` names, the official jwplatform client with
/// `host=` against the TLS listener on 127.0.0.1:443.
@Suite("the tap as an HTTPS proxy: real clients, the authority, blind tunnels")
struct HTTPSProxyEndToEndTests {
    /// The token of the loopback story (`RecordLoopbackTests`): its configuration and simulator.
    static let ops = RecordLoopbackTests.ops
    static let invalidMedia = #"{"metadata":{"title":""}}"#

    @Test("curl, requests and jwplatform get the simulator's 400 with its field errors; each call is in /v1/calls with its errors and token, and on the dashboard; a client that does not trust the authority fails its handshake, is said once, and records nothing")
    func realClients() async throws {
        try await RecordLoopbackTests.simulator().test(.live) { server in
            let home = try RecorderHome()
            defer { home.cleanUp() }
            let config = try RecordLoopbackTests.config(home, port: server.port!)
            let from = Date(timeIntervalSinceNow: -60)
            let recorder = try await RecorderProcess.start(home: home, tap: true, config: config, arguments: ["--tap-tls", "127.0.0.1:443"])
            let tapPort = try #require(recorder.tapPort)
            #expect(recorder.stdout.contains("· tap TLS https://127.0.0.1:443"), "\(recorder.stdout)")

            let env = await Spawn.detached(Binary.path, ["env"], environment: home.environment)
            #expect(env.status == 0, "\(env.output)")
            let exports = ProxyEnvironment.parse(env.output)
            #expect(exports["HTTPS_PROXY"] == "http://127.0.0.1:\(tapPort)")
            #expect(exports["HTTP_PROXY"] == nil && exports["http_proxy"] == nil)
            let bundle = try #require(exports["SSL_CERT_FILE"])
            #expect(exports["REQUESTS_CA_BUNDLE"] == bundle && exports["CURL_CA_BUNDLE"] == bundle)
            #expect(exports["NODE_EXTRA_CA_CERTS"] == home.path + "/state/mapitop/ca/ca.pem")
            #expect(!env.output.contains(Self.ops.secret))
            let fish = await Spawn.detached(Binary.path, ["env", "--shell", "fish"], environment: home.environment)
            #expect(fish.output.contains("\nset -gx HTTPS_PROXY 'http://127.0.0.1:\(tapPort)'\n"), "\(fish.output)")
            let unit = await Spawn.detached(Binary.path, ["env", "--shell", "systemd"], environment: home.environment)
            #expect(unit.output.contains("\nSSL_CERT_FILE=\"\(bundle)\"\n"), "\(unit.output)")
            #expect(env.output.contains("JWPlatformClient(secret, host=\"127.0.0.1\") reaches the tap's TLS listener at 127.0.0.1:443"))
            let jobEnvironment = home.environment.merging(exports) { $1 }

            // curl, told nothing but its environment. It offers h2 too: the tap's ALPN picks 1.1.
            let curl = await Spawn.detached("curl", [
                "-s", "-w", "\n%{http_version} %{http_code}", "-X", "POST", "-H", "Authorization: Bearer \(Self.ops.secret)",
                "-H", "Content-Type: application/json", "--data", Self.invalidMedia, "https://api.jwplayer.com/v2/sites/Abcd1234/media/",
            ], environment: jobEnvironment)
            #expect(curl.output.hasSuffix("\n1.1 400"), "\(curl.output)")
            #expect(curl.output.contains("\"required\"") && curl.output.contains("\"empty\""), "\(curl.output)")

            // Python requests, likewise.
            let python = try PythonClients.python()
            let requests = await Spawn.detached(python, ["-c", """
                import requests
                r = requests.post("https://api.jwplayer.com/v2/sites/Abcd1234/media/", data='\(Self.invalidMedia)',
                                  headers={"Authorization": "Bearer \(Self.ops.secret)", "Content-Type": "application/json"}, timeout=60)
                print(r.status_code, sorted(e["code"] for e in r.json()["errors"]))
                """], environment: jobEnvironment)
            #expect(requests.output.trimmingCharacters(in: .whitespacesAndNewlines) == "400 ['empty', 'required']", "\(requests.output)")

            // jwplatform: host= and port 443, the TLS listener; SSL_CERT_FILE is its trust.
            let jwplatform = await Spawn.detached(python, ["-c", """
                from jwplatform.client import JWPlatformClient
                from jwplatform.errors import BadRequestError
                client = JWPlatformClient("\(Self.ops.secret)", host="127.0.0.1")
                try:
                    client.Media.create(site_id="Abcd1234", body={"metadata": {"title": ""}})
                    print("no error")
                except BadRequestError as error:
                    print(400, sorted(e["code"] for e in error.errors))
                """], environment: jobEnvironment)
            #expect(jwplatform.output.trimmingCharacters(in: .whitespacesAndNewlines) == "400 ['empty', 'required']", "\(jwplatform.output)")

            // A job that does not trust mapitop's authority: its handshake fails, twice, and
            // the recorder says so once, naming the host; nothing is recorded of it.
            for _ in 0..<2 {
                let untrusting = await Spawn.detached("curl", [
                    "-s", "-o", "/dev/null", "-w", "%{http_code}", "--proxy", "http://127.0.0.1:\(tapPort)",
                    "-H", "Authorization: Bearer \(Self.ops.secret)", "https://api.jwplayer.com/v2/webhooks/",
                ], environment: home.environment.merging(["CURL_CA_BUNDLE": "/etc/ssl/certs/ca-certificates.crt"]) { $1 })
                #expect(untrusting.status == 60, "curl should refuse the certificate: \(untrusting.status) \(untrusting.output)")
            }
            let said = await RecordClient.eventually { recorder.stderr.contains("a TLS handshake for api.jwplayer.com failed") }
            #expect(said, "\(recorder.stderr)")

            // /v1/calls: the three 400s, each with its field errors and its token; no call of
            // the untrusting job (its webhooks call never happened).
            var calls: [[String: Any]] = []
            let complete = try await RecordClient.eventually {
                calls = try await RecordClient.calls(recorder.adminBase, from: from)
                return calls.filter { $0["status"] as? Int == 400 }.count == 3
            }
            #expect(complete, "\(calls)")
            for call in calls where call["status"] as? Int == 400 {
                #expect((call["token"] as? [String: Any])?["label"] as? String == "ops")
                #expect(call["path"] as? String == "/v2/sites/Abcd1234/media/")
                let codes = Set(((call["errors"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String })
                #expect(codes == ["required", "empty"], "\(call)")
            }
            #expect(!calls.contains { ($0["path"] as? String)?.hasPrefix("/v2/webhooks") == true }, "\(calls)")

            // The dashboard, attached to the recorder, shows them.
            let variables = home.environment.map { "\($0.key)=\(Binary.quoted($0.value))" }.joined(separator: " ")
            let tmux = try await Tmux(command: "env \(variables) \(Binary.quoted(Binary.path)) watch; echo __EXIT=$?", width: 140, height: 34)
            defer { tmux.stop() }
            let shown = await tmux.waitFor { $0.contains("required") && $0.contains("empty") && $0.contains("ops") }
            #expect(shown.met, "\(shown.screen)")
            await tmux.send("q")
            #expect(await recorder.terminate() == 0, "\(recorder.stderr)")
            // Both refused handshakes came well before the recorder stopped: one line for both.
            #expect(recorder.stderr.components(separatedBy: "a TLS handshake for api.jwplayer.com failed").count == 2, "\(recorder.stderr)")
            #expect(!recorder.stderr.contains(Self.ops.secret))
        }
    }

    @Test("a blind tunnel keeps the server's own certificate and is counted in /healthz; a certificate for another name signed with mapitop's key fails openssl verify; mapitop info shows the authority")
    func tunnelAndConstraints() async throws {
        let home = try RecorderHome()
        defer { home.cleanUp() }
        // A local TLS server with a certificate of its own, trusted by nobody but the client here.
        let server = try await LocalTLSServer.start(in: home.path)
        defer { server.stop() }
        let recorder = try await RecorderProcess.start(home: home, tap: true)
        let tapPort = try #require(recorder.tapPort)
        let tunnelled = await Spawn.detached("curl", [
            "-s", "--cacert", server.certificate, "--proxy", "http://127.0.0.1:\(tapPort)", "https://localhost:\(server.port)/",
        ], environment: home.environment)
        #expect(tunnelled.output == "tunnel-ok", "\(tunnelled.status) \(tunnelled.output)")
        let health = try await RecordClient.call(recorder.adminBase + "/healthz")
        let tunnels = try RecordClient.object(health.body)["tunnels"] as? [String: Int]
        #expect(tunnels == ["localhost": 1], "\(health.body)")

        // The authority, made when the recorder's tap started; openssl signs with its key for two names.
        let env = await Spawn.detached(Binary.path, ["env"], environment: home.environment)
        #expect(env.status == 0, "\(env.output)")
        let folder = home.path + "/state/mapitop/ca"
        let verdicts = try await OpenSSL.signAndVerify(names: ["evil.example", "api.jwplayer.com"], caFolder: folder, workFolder: home.path)
        #expect(verdicts["api.jwplayer.com"]?.status == 0, "a permitted name must verify: \(verdicts)")
        #expect(verdicts["evil.example"]?.status != 0, "\(verdicts)")
        #expect(verdicts["evil.example"]?.output.contains("permitted subtree violation") == true, "\(verdicts)")

        let fingerprint = await Spawn.detached("openssl", ["x509", "-in", folder + "/ca.pem", "-noout", "-fingerprint", "-sha256"])
        let info = await Spawn.detached(Binary.path, ["info"], environment: home.environment)
        let expected = fingerprint.output.split(separator: "=").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? "?"
        #expect(info.output.contains(folder + "/ca.pem"), "\(info.output)")
        #expect(info.output.contains(expected), "\(info.output) \(fingerprint.output)")
        #expect(info.output.contains("permits   api.jwplayer.com, localhost, 127.0.0.1, ::1"), "\(info.output)")
        #expect(await recorder.terminate() == 0, "\(recorder.stderr)")
    }

    @Test("env without a recorder says how to start one; a loose authority key is refused by env, info and the running tap (a 502) with the chmod that fixes it, and the recorder runs on")
    func looseModes() async throws {
        let home = try RecorderHome()
        defer { home.cleanUp() }
        let env = await Spawn.detached(Binary.path, ["env"], environment: home.environment)
        // No recorder yet: env says how to start one.
        #expect(env.status == 69 && env.output.contains("no recorder is running"), "\(env.output)")
        let recorder = try await RecorderProcess.start(home: home, tap: true)
        #expect(await Spawn.detached(Binary.path, ["env"], environment: home.environment).status == 0)
        let key = home.path + "/state/mapitop/ca/ca-key.pem"
        chmod(key, 0o644)
        let loose = await Spawn.detached(Binary.path, ["env"], environment: home.environment)
        #expect(loose.status == 74 && loose.output.contains("chmod 600 \(key)"), "\(loose.output)")
        // The running tap refuses to decrypt with it: the job reads a 502 that says why.
        let tapPort = try #require(recorder.tapPort)
        let refused = await Spawn.detached("curl", ["-sS", "-o", "/dev/null", "--proxy", "http://127.0.0.1:\(tapPort)", "https://api.jwplayer.com/v2/webhooks/"],
                                           environment: home.environment)
        #expect(refused.output.contains("CONNECT tunnel failed, response 502"), "\(refused.output)")
        let said = await RecordClient.eventually { recorder.stderr.contains("no TLS for api.jwplayer.com") && recorder.stderr.contains("chmod 600") }
        #expect(said, "\(recorder.stderr)")
        let info = await Spawn.detached(Binary.path, ["info"], environment: home.environment)
        #expect(info.output.contains("chmod 600 \(key)"), "\(info.output)")
        #expect(!recorder.hasExited)
        #expect(await recorder.terminate() == 0, "\(recorder.stderr)")
    }
}

/// The lines of `mapitop env`, read as a POSIX shell would.
enum ProxyEnvironment {
    static func parse(_ output: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in output.split(separator: "\n") where line.hasPrefix("export ") {
            let assignment = line.dropFirst("export ".count)
            guard let equals = assignment.firstIndex(of: "=") else { continue }
            var value = String(assignment[assignment.index(after: equals)...])
            if value.hasPrefix("'"), value.hasSuffix("'") { value = String(value.dropFirst().dropLast()).replacingOccurrences(of: #"'\''"#, with: "'") }
            values[String(assignment[..<equals])] = value
        }
        return values
    }
}

/// The checkout's virtual environment with the real Python clients (`make venv`).
enum PythonClients {
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    static func python() throws -> String {
        var url = URL(fileURLWithPath: Binary.path).resolvingSymlinksInPath()
        while url.path != "/" {
            url = url.deletingLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                let python = url.appendingPathComponent(".venv/bin/python").path
                guard FileManager.default.isExecutableFile(atPath: python) else { break }
                return python
            }
        }
        throw Missing(description: "no .venv/bin/python beside Package.swift: run `make venv` (make test does)")
    }
}

/// openssl signing certificates with mapitop's key, as a thief of the key would.
enum OpenSSL {
    static func signAndVerify(names: [String], caFolder: String, workFolder: String) async throws -> [String: Spawn.Result] {
        var verdicts: [String: Spawn.Result] = [:]
        for name in names {
            let base = workFolder + "/" + name
            let request = await Spawn.detached("openssl", [
                "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", base + ".key", "-out", base + ".csr",
                "-subj", "/CN=\(name)", "-addext", "subjectAltName=DNS:\(name)",
            ])
            #expect(request.status == 0, "\(request.output)")
            let signed = await Spawn.detached("openssl", [
                "x509", "-req", "-in", base + ".csr", "-CA", caFolder + "/ca.pem", "-CAkey", caFolder + "/ca-key.pem",
                "-CAcreateserial", "-CAserial", base + ".srl", "-out", base + ".pem", "-days", "1", "-copy_extensions", "copy",
            ])
            #expect(signed.status == 0, "\(signed.output)")
            verdicts[name] = await Spawn.detached("openssl", ["verify", "-CAfile", caFolder + "/ca.pem", base + ".pem"])
        }
        return verdicts
    }
}

/// A TLS server on loopback with a self-signed certificate for localhost, answering
/// `tunnel-ok` (Python's ssl and http.server, in a process of its own).
struct LocalTLSServer {
    let pid: pid_t
    let port: Int
    let certificate: String

    static func start(in folder: String) async throws -> LocalTLSServer {
        let certificate = folder + "/local-server.pem"
        let key = folder + "/local-server.key"
        let made = await Spawn.detached("openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", certificate,
            "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
        ])
        #expect(made.status == 0, "\(made.output)")
        let portFile = folder + "/local-server.port"
        let script = """
            import http.server, ssl, sys
            class Answer(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    self.send_response(200); self.send_header("Content-Length", "9"); self.end_headers(); self.wfile.write(b"tunnel-ok")
                def log_message(self, *args): pass
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); context.load_cert_chain(sys.argv[1], sys.argv[2])
            server.socket = context.wrap_socket(server.socket, server_side=True)
            open(sys.argv[3] + ".tmp", "w").write(str(server.server_address[1])); __import__("os").rename(sys.argv[3] + ".tmp", sys.argv[3])
            server.serve_forever()
            """
        let pid = Spawn.launch("python3", ["-c", script, certificate, key, portFile], outputFile: folder + "/local-server.log")
        var port = 0
        _ = await RecordClient.eventually {
            port = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap { Int($0) } ?? 0
            return port > 0
        }
        guard port > 0 else {
            kill(pid, SIGKILL)
            throw PythonClients.Missing(description: "the local TLS server did not start: \((try? String(contentsOfFile: folder + "/local-server.log", encoding: .utf8)) ?? "")")
        }
        return LocalTLSServer(pid: pid, port: port, certificate: certificate)
    }

    /// Reaped on a thread of its own: waiting for a child must not hold the cooperative pool.
    func stop() {
        kill(pid, SIGTERM)
        let pid = pid
        Thread.detachNewThread {
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }
}
