import Foundation
import ManagementAPI
import TOMLKit

/// Reads `config.toml`. Every problem is a `ConfigError` naming the file, line and key.
/// Secrets are read once, here, and held only in `Token`.
public enum ConfigLoader {
    /// `$XDG_CONFIG_HOME/mapitop/config.toml`, else `~/.config/mapitop/config.toml`.
    public static func defaultPath(environment: [String: String]) -> String {
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.config")
        return base + "/mapitop/config.toml"
    }

    /// Loads the file at `path`, or the default path. A missing default file means "no
    /// configuration" (defaults, no tokens); a missing file that was asked for is an error.
    public static func load(path: String?, environment: [String: String]) throws(ConfigError) -> Configuration {
        let file = path ?? defaultPath(environment: environment)
        guard FileManager.default.fileExists(atPath: file) else {
            if path == nil { return Configuration() }
            throw ConfigError(file: file, line: nil, key: nil, message: "no such file")
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigError(file: file, line: nil, key: nil, message: "cannot be read (check its permissions)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: file, line: nil, key: nil, message: "is not UTF-8 text")
        }
        return try parse(text, file: file, environment: environment)
    }

    public static func parse(_ text: String, file: String, environment: [String: String]) throws(ConfigError) -> Configuration {
        let table = try TOMLDocument.parse(text, file: file)
        var reader = Reader(file: file, locator: TOMLKeyLocator(text: text), environment: environment)
        return try reader.configuration(from: table)
    }

    private struct Reader {
        let file: String
        let locator: TOMLKeyLocator
        let environment: [String: String]

        func fail(_ key: String, table: String = "", index: Int = 0, _ message: String) -> ConfigError {
            let line = locator.line(of: key.split(separator: ".").last.map(String.init) ?? key, table: table, index: index)
                ?? locator.header(table, index: index)
            return ConfigError(file: file, line: line, key: key, message: message)
        }

        mutating func configuration(from table: TOMLTable) throws(ConfigError) -> Configuration {
            var configuration = Configuration(path: file)
            for key in table.keys where !["api_base", "theme", "probe", "tap", "admin", "token", "job"].contains(key) {
                throw fail(key, "unknown key (known: api_base, theme, [probe], [tap], [admin], [[token]], [[job]])")
            }
            if let value = table["api_base"] {
                guard let base = value.string else { throw fail("api_base", "must be a string") }
                guard let url = URL(string: base), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                    throw fail("api_base", "must be an http or https URL, got '\(base.prefix(80))'")
                }
                configuration.apiBase = base
            }
            if let value = table["theme"] {
                guard let theme = value.string, !theme.isEmpty else { throw fail("theme", "must be a theme name or path") }
                configuration.theme = theme
            }
            if let value = table["probe"] {
                guard let probe = value.table else { throw fail("probe", "must be a table: [probe]") }
                configuration.probesPerMinute = try probesPerMinute(probe)
            }
            if let value = table["tap"] {
                guard let tap = value.table else { throw fail("tap", "must be a table: [tap]") }
                configuration.tapListen = try listenAddress(tap, key: "listen")
                configuration.tapTLSListen = try listenAddress(tap, key: "tls_listen")
                configuration.tapIntercept = try hostList(tap, key: "intercept") ?? []
                configuration.tapTunnel = try hostList(tap, key: "tunnel")
            }
            if let value = table["admin"] {
                guard let admin = value.table else { throw fail("admin", "must be a table: [admin]") }
                configuration.adminReaders = try adminReaders(admin)
            }
            if let value = table["token"] {
                guard let array = value.array else { throw fail("token", "must be an array of tables: [[token]]") }
                var labels: Set<String> = []
                // Exports and `y` name each token's secret `$JWP_SECRET_<LABEL>`: two labels that
                // give one name (cms-sync, cms_sync) would replay a call with the wrong secret.
                var variables: [String: String] = [:]
                for index in 0..<array.count {
                    guard let entry = array[index].table else { throw fail("token", "must be an array of tables: [[token]]") }
                    let token = try self.token(entry, index: index)
                    guard labels.insert(token.token.label).inserted else {
                        throw fail("token[\(index + 1)].label", table: "token", index: index, "duplicate label '\(token.token.label)'")
                    }
                    let variable = SecretPlaceholder.variable(for: token.token.reference)
                    if let other = variables[variable] {
                        throw fail("token[\(index + 1)].label", table: "token", index: index,
                                   "'\(token.token.label)' and '\(other)' would share the variable \(variable) in exports and copies; rename one")
                    }
                    variables[variable] = token.token.label
                    configuration.tokens.append(token)
                }
            }
            if let value = table["job"] {
                configuration.jobRules = try jobRules(value)
            }
            return configuration
        }

        /// `[[job]] name = "nightly"  match = "nightly-ingest"`: the first rule whose pattern is
        /// found in a call's program, script or User-Agent names its job.
        func jobRules(_ value: any TOMLValueConvertible) throws(ConfigError) -> [JobRule] {
            guard let array = value.array else { throw fail("job", "must be an array of tables: [[job]]") }
            var rules: [JobRule] = []
            for index in 0..<array.count {
                let entryName = "job[\(index + 1)]"
                func fail(_ key: String, _ message: String) -> ConfigError {
                    self.fail("\(entryName).\(key)", table: "job", index: index, message)
                }
                guard let entry = array[index].table else { throw self.fail("job", "must be an array of tables: [[job]]") }
                for key in entry.keys where !["name", "match"].contains(key) { throw fail(key, "unknown key (known: name, match)") }
                guard let nameValue = entry["name"] else { throw fail("name", "is required") }
                guard let name = nameValue.string else { throw fail("name", "must be a string") }
                guard !name.isEmpty, name.count <= JobName.maxLength, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format }),
                    ![JobName.other, JobName.unknown, JobName.probe].contains(name)
                else {
                    throw fail("name", "must be 1 to \(JobName.maxLength) printable characters, and not 'other', '?' or 'probe' (mapitop's own)")
                }
                guard let matchValue = entry["match"] else { throw fail("match", "is required") }
                guard let pattern = matchValue.string, !pattern.isEmpty else { throw fail("match", "must be a non-empty string") }
                if let earlier = rules.first(where: { $0.name == name }) {
                    throw fail("name", "'\(name)' is already the name of the rule matching '\(earlier.pattern.prefix(60))'; one rule per name (join the patterns with |)")
                }
                do {
                    rules.append(try JobRule(name: name, pattern: pattern))
                } catch {
                    // One line whatever the pattern holds (a TOML "\n", a control): escaped as Swift writes it.
                    let shown = String(reflecting: String(pattern.prefix(80)))
                    let reason = error.localizedDescription.replacingOccurrences(of: "\n", with: " ")
                    throw fail("match", "\(shown) is not a regular expression (ICU syntax): \(reason)")
                }
            }
            return rules
        }

        func probesPerMinute(_ probe: TOMLTable) throws(ConfigError) -> Int {
            for key in probe.keys where key != "per_minute" {
                throw fail("probe.\(key)", table: "probe", "unknown key (known: per_minute)")
            }
            guard let value = probe["per_minute"] else { return Configuration.defaultProbesPerMinute }
            guard let perMinute = value.int else { throw fail("probe.per_minute", table: "probe", "must be an integer") }
            guard (1...Configuration.maxProbesPerMinute).contains(perMinute) else {
                throw fail("probe.per_minute", table: "probe",
                           "must be 1 to \(Configuration.maxProbesPerMinute) (probes spend the quota they watch; 6 is 10% of it)")
            }
            return perMinute
        }

        /// `[admin] readers = ["alice"]`: each a user of this machine, resolved to its uid.
        func adminReaders(_ admin: TOMLTable) throws(ConfigError) -> [UInt32] {
            for key in admin.keys where key != "readers" {
                throw fail("admin.\(key)", table: "admin", "unknown key (known: readers)")
            }
            guard let value = admin["readers"] else { return [] }
            guard let names = value.array?.map(\.string), !names.contains(nil) else {
                throw fail("admin.readers", table: "admin", "must be a list of user names, e.g. [\"alice\"]")
            }
            var uids: [UInt32] = []
            for case let name? in names {
                guard let user = getpwnam(name) else {
                    // Not quoted: a value that names no user may be anything pasted there.
                    throw fail("admin.readers", table: "admin", "names no user of this machine (name number \(uids.count + 1))")
                }
                uids.append(user.pointee.pw_uid)
            }
            return uids
        }

        /// `[tap] listen = "127.0.0.1:8787"` and `tls_listen = "127.0.0.1:443"`. Whether a
        /// non-loopback address may be used is the command's call (`--allow-remote`), not the file's.
        func listenAddress(_ tap: TOMLTable, key: String) throws(ConfigError) -> ListenAddress? {
            let known = ["listen", "tls_listen", "intercept", "tunnel"]
            for other in tap.keys where !known.contains(other) {
                throw fail("tap.\(other)", table: "tap", "unknown key (known: \(known.joined(separator: ", ")))")
            }
            guard let value = tap[key] else { return nil }
            guard let text = value.string else { throw fail("tap.\(key)", table: "tap", "must be a string such as \"127.0.0.1:8787\"") }
            do {
                return try ListenAddress(parsing: text)
            } catch {
                throw fail("tap.\(key)", table: "tap", error.description)
            }
        }

        /// `[tap] intercept = ["api.example.com"]`: host names, without scheme, port or path.
        func hostList(_ tap: TOMLTable, key: String) throws(ConfigError) -> [String]? {
            guard let value = tap[key] else { return nil }
            guard let array = value.array else { throw fail("tap.\(key)", table: "tap", "must be a list of host names, such as [\"api.example.com\"]") }
            var hosts: [String] = []
            for (index, element) in array.enumerated() {
                guard let host = element.string, Self.isHostName(host) else {
                    throw fail("tap.\(key)", table: "tap", "entry \(index + 1) is not a host name (two labels or more of letters, digits and '-'; no scheme, port or path)")
                }
                hosts.append(host.lowercased())
            }
            return hosts
        }

        /// Two labels at least: `com` alone would let the authority sign for all of `.com`.
        static func isHostName(_ text: String) -> Bool {
            !text.isEmpty && text.utf8.count <= 253 && !text.hasPrefix(".") && !text.hasSuffix(".") && !text.contains("..")
                && text.contains(".")
                && text.utf8.allSatisfy { byte in
                    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                        || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
                }
        }

        func token(_ entry: TOMLTable, index: Int) throws(ConfigError) -> ConfiguredToken {
            let name = "token[\(index + 1)]"
            func fail(_ key: String, _ message: String) -> ConfigError {
                self.fail("\(name).\(key)", table: "token", index: index, message)
            }
            let known = ["label", "secret_env", "secret_file", "site_id", "probe"]
            for key in entry.keys where !known.contains(key) {
                if key == "secret" {
                    throw fail(key, "inline secrets are refused (config files get copied and shared): "
                        + "use secret_env = \"VAR\" or secret_file = \"/path\" instead")
                }
                throw fail(key, "unknown key (known: \(known.joined(separator: ", ")))")
            }
            func string(_ key: String) throws(ConfigError) -> String? {
                guard let value = entry[key] else { return nil }
                guard let text = value.string else { throw fail(key, "must be a string") }
                return text
            }
            guard let label = try string("label") else { throw fail("label", "is required") }
            guard !label.isEmpty, label.count <= 40, !label.hasPrefix("#"), !label.contains(where: \.isWhitespace) else {
                throw fail("label", "must be 1 to 40 characters without spaces, not starting with '#'")
            }
            // The row and series of the tokens past the cap are called "other": a token of that
            // name would merge with them.
            guard label.lowercased() != "other" else {
                throw fail("label", "'\(label)' is reserved for the tokens counted together past the cap; choose another label")
            }
            let secretEnv = try string("secret_env")
            let secretFile = try string("secret_file")
            let secret: Secret
            switch (secretEnv, secretFile) {
            case (nil, nil): throw fail("secret_env", "one of secret_env or secret_file is required")
            case (.some, .some): throw fail("secret_file", "give secret_env or secret_file, not both")
            case (let variable?, nil):
                guard let value = environment[variable], !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                    throw fail("secret_env", SecretReference.unsetVariable(variable, isSet: environment[variable] != nil))
                }
                secret = Secret(value.trimmingCharacters(in: .whitespacesAndNewlines))
            case (nil, let path?):
                secret = try SecretFile.read(path) { message throws(ConfigError) in throw fail("secret_file", message) }
            }
            let siteID = try string("site_id")
            // Say what is wrong, never quote it: a secret pasted here must not reach stderr.
            if let siteID, let problem = APIRequest.SiteIDProblem(siteID) { throw fail("site_id", problem.description) }
            let probe = try string("probe")
            if let probe, !probe.hasPrefix("/v2/") { throw fail("probe", "must be a path starting with /v2/") }
            guard siteID != nil || probe != nil else {
                throw fail("site_id", "a token needs site_id (probes GET /v2/sites/{site_id}/media/) or an explicit probe path")
            }
            return ConfiguredToken(token: Token(label: label, secret: secret), siteID: siteID, probePath: probe)
        }
    }
}
