
import ConfigFile
import Testing
@testable import Dashboard

/// `[tap] listen` in the configuration: where `mapitop record` runs its tap.
@Suite("The configuration's [tap] section")
struct ConfigTapTests {
    @Test("listen parses to an address; no [tap] means no tap")
    func listen() throws {
        let configuration = try ConfigLoader.parse("[tap]\nlisten = \"127.0.0.1:8787\"\n", file: "c.toml", environment: [:])
        #expect(configuration.tapListen == (try ListenAddress(parsing: "127.0.0.1:8787")))
        #expect(try ConfigLoader.parse("theme = \"light\"\n", file: "c.toml", environment: [:]).tapListen == nil)
        #expect(try ConfigLoader.parse("[tap]\n", file: "c.toml", environment: [:]).tapListen == nil)
    }

    /// (file text, line, key, start of message)
    static let broken: [(String, Int, String, String)] = [
        ("theme = \"light\"\n[tap]\nlisten = \"127.0.0.1\"", 3, "tap.listen", "expected HOST:PORT"),
        ("[tap]\nlisten = \"127.0.0.1:99999\"", 2, "tap.listen", "expected HOST:PORT with a port from 0 to 65535"),
        ("[tap]\nlisten = 8787", 2, "tap.listen", "must be a string"),
        ("[tap]\nlisten = \"127.0.0.1:8787\"\nupstream = \"x\"", 3, "tap.upstream", "unknown key (known: listen, tls_listen, intercept, tunnel)"),
        ("[tap]\ntls_listen = \"127.0.0.1\"", 2, "tap.tls_listen", "expected HOST:PORT"),
        ("[tap]\nlisten = \"127.0.0.1:8787\"\n\nintercept = \"api.example.com\"", 4, "tap.intercept", "must be a list of host names"),
        ("[tap]\nintercept = [\"https://api.example.com/\"]", 2, "tap.intercept", "entry 1 is not a host name"),
        ("[tap]\ntunnel = [\"uploads.example.com\", 443]", 2, "tap.tunnel", "entry 2 is not a host name"),
        ("[tap]\nintercept = [\"com\"]", 2, "tap.intercept", "entry 1 is not a host name (two labels or more"),
        ("tap = \"127.0.0.1:8787\"", 1, "tap", "must be a table: [tap]"),
    ]

    @Test("a bad [tap] names the file, the line and the key", arguments: broken)
    func brokenTap(text: String, line: Int, key: String, message: String) {
        #expect {
            try ConfigLoader.parse(text, file: "/etc/mapitop/config.toml", environment: [:])
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            return error.line == line && error.key == key && error.message.hasPrefix(message)
                && error.description.hasPrefix("/etc/mapitop/config.toml:\(line): \(key): ")
        }
    }

    @Test("tls_listen, intercept and tunnel are read; tunnel absent is nil, not empty")
    func proxyKeys() throws {
        let text = "[tap]\nlisten = \"127.0.0.1:8787\"\ntls_listen = \"127.0.0.1:443\"\nintercept = [\"API.Example.com\"]\ntunnel = [\"uploads.example.com\"]\n"
        let configuration = try ConfigLoader.parse(text, file: "c.toml", environment: [:])
        #expect(configuration.tapTLSListen == (try ListenAddress(parsing: "127.0.0.1:443")))
        #expect(configuration.tapIntercept == ["api.example.com"])
        #expect(configuration.tapTunnel == ["uploads.example.com"])
        #expect(try ConfigLoader.parse("[tap]\n", file: "c.toml", environment: [:]).tapTunnel == nil)
    }

    @Test("[admin] readers names users of this machine, read as their uids")
    func adminReaders() throws {
        let configuration = try ConfigLoader.parse("[admin]\nreaders = [\"root\"]\n", file: "c.toml", environment: [:])
        #expect(configuration.adminReaders == [0])
        #expect(try ConfigLoader.parse("", file: "c.toml", environment: [:]).adminReaders.isEmpty)
    }
}
