import ConfigFile
import Foundation
import ManagementAPI
import Testing
@testable import Dashboard

@Suite("The configuration file")
struct ConfigTests {
    let environment = ["JWP_SECRET_INGEST": "env-secret-value-1", "EMPTY": " "]

    func secretFile(_ contents: String = "file-secret-value-2\n", mode: Int = 0o600) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-secret-\(UUID().uuidString)").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(contents.utf8), attributes: [.posixPermissions: mode])
        return path
    }

    @Test("a full file parses; secrets come from the environment and from a file")
    func valid() throws {
        let file = try secretFile()
        let text = """
            api_base = "https://api.jwplayer.com"
            theme = "light"
            [probe]
            per_minute = 3
            [[token]]
            label = "ingest"
            secret_env = "JWP_SECRET_INGEST"
            site_id = "Abcd1234"
            [[token]]
            label = "cms-sync"
            secret_file = "\(file)"
            probe = "/v2/webhooks/?page_length=1"
            """
        let configuration = try ConfigLoader.parse(text, file: "config.toml", environment: environment)
        #expect(configuration.probesPerMinute == 3)
        #expect(configuration.theme == "light")
        #expect(configuration.tokens.map(\.token.label) == ["ingest", "cms-sync"])
        #expect(configuration.tokens[0].token.secret == Secret("env-secret-value-1"))
        #expect(configuration.tokens[1].token.secret == Secret("file-secret-value-2"))
        #expect(try configuration.tokens[0].probeRequest.url(base: "https://x.example") == "https://x.example/v2/sites/Abcd1234/media/?page=1&page_length=1")
        #expect(configuration.tokens[1].probeRequest.pathTemplate == "/v2/webhooks/")
        #expect(!"\(configuration)".contains("env-secret-value-1"))
        #expect(!"\(configuration)".contains("file-secret-value-2"))
    }

    @Test("no file at the default path means defaults; a missing file that was asked for is an error")
    func missing() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-home-\(UUID().uuidString)").path
        #expect(try ConfigLoader.load(path: nil, environment: ["HOME": home]).tokens.isEmpty)
        #expect(ConfigLoader.defaultPath(environment: ["XDG_CONFIG_HOME": "/x"]) == "/x/mapitop/config.toml")
        #expect(ConfigLoader.defaultPath(environment: ["HOME": "/home/op"]) == "/home/op/.config/mapitop/config.toml")
        #expect(throws: ConfigError(file: "/no/such/config.toml", line: nil, key: nil, message: "no such file")) {
            try ConfigLoader.load(path: "/no/such/config.toml", environment: [:])
        }
    }

    static let token = "[[token]]\nlabel = \"ingest\"\nsite_id = \"Abcd1234\"\n"

    /// (file text, line, key, start of message)
    static let broken: [(String, Int?, String?, String)] = [
        ("api_bse = \"x\"", 1, "api_bse", "unknown key"),
        ("api_base = 5", 1, "api_base", "must be a string"),
        ("api_base = \"ftp://x\"", 1, "api_base", "must be an http or https URL"),
        ("theme = 3", 1, "theme", "must be a theme name"),
        ("probe = 2", 1, "probe", "must be a table"),
        ("[probe]\nper_minute = \"2\"", 2, "probe.per_minute", "must be an integer"),
        ("[probe]\nper_minute = 7", 2, "probe.per_minute", "must be 1 to 6"),
        ("[probe]\nper_minute = 0", 2, "probe.per_minute", "must be 1 to 6"),
        ("[probe]\nevery = 2", 2, "probe.every", "unknown key"),
        (token + "secret_env = \"JWP_SECRET_INGEST\"\ncolour = 1", 5, "token[1].colour", "unknown key"),
        (token + "secret = \"sk_live_abc\"", 4, "token[1].secret", "inline secrets are refused"),
        ("[[token]]\nsecret_env = \"JWP_SECRET_INGEST\"\nsite_id = \"Abcd1234\"", 1, "token[1].label", "is required"),
        ("[[token]]\nlabel = 5\nsecret_env = \"JWP_SECRET_INGEST\"", 2, "token[1].label", "must be a string"),
        ("[[token]]\nlabel = \"two words\"\nsecret_env = \"JWP_SECRET_INGEST\"", 2, "token[1].label", "must be 1 to 40 characters"),
        (token, 1, "token[1].secret_env", "one of secret_env or secret_file is required"),
        (token + "secret_env = \"NOPE_NOT_SET\"", 4, "token[1].secret_env", "environment variable NOPE_NOT_SET is not set"),
        (token + "secret_env = \"EMPTY\"", 4, "token[1].secret_env", "environment variable EMPTY is not set or empty"),
        (token + "secret_env = \"JWP_SECRET_INGEST\"\nsecret_file = \"/x\"", 5, "token[1].secret_file", "give secret_env or secret_file, not both"),
        (token + "secret_file = \"/no/such/secret\"", 4, "token[1].secret_file", "names no file that can be read (No such file or directory)"),
        // A secret pasted into the wrong key is described, never quoted.
        (token + "secret_env = \"sk_live_9f8e7d6c5b4a\"", 4, "token[1].secret_env", "names no environment variable that is set, and is not shown"),
        (token + "secret_file = \"sk_live_9f8e7d6c5b4a\"", 4, "token[1].secret_file", "names no file that can be read"),
        ("[[token]]\nlabel = \"Other\"\nsecret_env = \"JWP_SECRET_INGEST\"\nsite_id = \"Abcd1234\"", 2, "token[1].label",
         "'Other' is reserved for the tokens counted together past the cap"),
        ("[[token]]\nlabel = \"ingest\"\nsecret_env = \"JWP_SECRET_INGEST\"\nsite_id = \"Abcd/234\"", 4, "token[1].site_id", "must be 8 letters or digits"),
        ("[[token]]\nlabel = \"ingest\"\nsecret_env = \"JWP_SECRET_INGEST\"", 1, "token[1].site_id", "a token needs site_id"),
        (token + "secret_env = \"JWP_SECRET_INGEST\"\nprobe = \"webhooks\"", 5, "token[1].probe", "must be a path starting with /v2/"),
        (token + "secret_env = \"JWP_SECRET_INGEST\"\n" + token + "secret_env = \"JWP_SECRET_INGEST\"", 6, "token[2].label", "duplicate label 'ingest'"),
        ("[[token]]\nlabel = \"cms-sync\"\nsecret_env = \"JWP_SECRET_INGEST\"\nsite_id = \"Abcd1234\"\n"
            + "[[token]]\nlabel = \"cms_sync\"\nsecret_env = \"JWP_SECRET_INGEST\"\nsite_id = \"Abcd1234\"", 6, "token[2].label",
         "'cms_sync' and 'cms-sync' would share the variable JWP_SECRET_CMS_SYNC"),
        ("token = \"x\"", 1, "token", "must be an array of tables"),
        ("[admin]\nreaders = [\"no-such-user-9f3k\"]", 2, "admin.readers", "names no user of this machine"),
        ("[admin]\nreaders = \"root\"", 2, "admin.readers", "must be a list of user names"),
        ("[admin]\nwriters = [\"root\"]", 2, "admin.writers", "unknown key (known: readers)"),
        ("api_base = \"https://x\"\n[probe\nper_minute = 2", 2, nil, "not valid TOML"),
        ("[[job]]\nname = \"nightly\"\nmatch = \"nightly-(ingest\"", 3, "job[1].match", "\"nightly-(ingest\" is not a regular expression"),
        ("[[job]]\nname = \"nightly\"\nmatch = \"a\"\n[[job]]\nname = \"nightly\"\nmatch = \"b\"", 5, "job[2].name",
         "'nightly' is already the name of the rule matching 'a'"),
        ("[[job]]\nname = \"nightly\"\npattern = \"a\"", 3, "job[1].pattern", "unknown key (known: name, match)"),
        ("[[job]]\nmatch = \"a\"", 1, "job[1].name", "is required"),
        ("[[job]]\nname = \"other\"\nmatch = \"a\"", 2, "job[1].name", "must be 1 to 48 printable characters"),
        ("[[job]]\nname = \"x\"\nmatch = 5", 3, "job[1].match", "must be a non-empty string"),
        ("job = \"x\"", 1, "job", "must be an array of tables"),
    ]

    @Test("[[job]] rules parse in order, and name jobs by program, script or User-Agent")
    func jobRules() throws {
        let text = """
            [[job]]
            name = "nightly"
            match = "^nightly-(ingest|sync)"
            [[job]]
            name = "python-client"
            match = "jwplatform_client-python"
            """
        let rules = try ConfigLoader.parse(text, file: "config.toml", environment: environment).jobRules
        #expect(rules.map(\.name) == ["nightly", "python-client"])
        #expect(rules[0].matches("nightly-ingest.py") && !rules[0].matches("my-nightly-ingest.py"))
        #expect(rules[1].matches("jwplatform_client-python/2.2.2 python-requests/2.34.2"))
    }

    @Test("every error names the file, the line and the key", arguments: broken)
    func brokenFile(text: String, line: Int?, key: String?, message: String) {
        do {
            _ = try ConfigLoader.parse(text, file: "/etc/mapitop/config.toml", environment: environment)
            Issue.record("parsed: \(text)")
        } catch {
            #expect(error.file == "/etc/mapitop/config.toml")
            #expect(error.line == line, "\(error)")
            #expect(error.key == key, "\(error)")
            #expect(error.message.hasPrefix(message), "\(error)")
            #expect(error.description.hasPrefix("/etc/mapitop/config.toml:\(line.map(String.init) ?? "")"))
            #expect(!error.description.contains("sk_live"), "a value that may be a secret was quoted: \(error)")
        }
    }

    @Test("a secret file readable by others is refused with the chmod that fixes it; errors never quote a secret")
    func secretFilePermissions() throws {
        let open = try secretFile("open-secret-value-3", mode: 0o644)
        let text = Self.token + "secret_file = \"\(open)\""
        #expect {
            try ConfigLoader.parse(text, file: "c.toml", environment: environment)
        } throws: { error in
            let description = "\(error)"
            return description.contains("chmod 600 '\(open)'") && description.contains("mode 644") && !description.contains("open-secret-value-3")
        }
        let empty = try secretFile("\n")
        #expect(throws: ConfigError.self) { try ConfigLoader.parse(Self.token + "secret_file = \"\(empty)\"", file: "c.toml", environment: environment) }
        let inline = Self.token + "secret = \"sk_live_inline_999\""
        #expect {
            try ConfigLoader.parse(inline, file: "c.toml", environment: environment)
        } throws: { error in !"\(error)".contains("sk_live_inline_999") }
    }
}
