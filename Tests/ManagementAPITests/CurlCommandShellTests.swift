import Foundation
import ManagementAPI
import Testing

/// The curl command of `y` and of exports, run by a real POSIX shell with `curl` replaced by a
/// function that prints what it was given: whatever a hostile call carried, the shell expands
/// the secret's variable and nothing else, and the body arrives byte for byte.
@Suite("Copy as curl: hostile calls through a real shell")
struct CurlCommandShellTests {
    struct Received: Equatable {
        let arguments: [String]
        let stdin: Data
    }

    /// Runs `command` in `/bin/sh` with `JWP_SECRET_…` set and a `curl` that writes each argument
    /// NUL-terminated, then a 0x01 byte, then its stdin.
    static func run(_ command: String, variable: String, secret: String) throws -> Received {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let script = #"curl() { for a in "$@"; do printf '%s\0' "$a"; done; printf '\001'; if [ "$(eval echo \${$#})" = "@-" ]; then cat; fi; }; "#
        process.arguments = ["-c", script + command]
        process.environment = ["PATH": "/usr/bin:/bin", variable: secret]
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let split = data.firstIndex(of: 0x01) ?? data.endIndex
        let arguments = data[..<split].split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
        return Received(arguments: arguments, stdin: split < data.endIndex ? Data(data[(split + 1)...]) : Data())
    }

    static let token = TokenReference(fingerprint: Secret("shell-secret").fingerprint, label: "cms-sync")

    @Test("quotes, $(…), backticks, a newline and a UTF-8 body arrive as they were; only the secret is expanded")
    func textBody() throws {
        let body = #"{"title":"it's $(touch /tmp/pwned) `id` \"q\"\n$HOME ünï"}"# + "\nsecond line"
        let command = CurlCommand.build(method: "POST", url: "https://api.jwplayer.com/v2/sites/Abcd1234/media/",
                                        token: Self.token, body: Array(body.utf8))
        let received = try Self.run(command, variable: "JWP_SECRET_CMS_SYNC", secret: "s3cr3t value")
        #expect(received.arguments == [
            "-q", "-g", "--path-as-is", "-X", "POST", "https://api.jwplayer.com/v2/sites/Abcd1234/media/", "-H", "Authorization: Bearer s3cr3t value",
            "-H", "Content-Type: application/json", "--data-raw", body,
        ])
        #expect(!FileManager.default.fileExists(atPath: "/tmp/pwned"))
    }

    @Test("a body with ESC, NUL and invalid UTF-8 travels as base64 into stdin, and the command line holds no control character")
    func binaryBody() throws {
        let body: [UInt8] = [0x7B, 0x1B, 0x5D, 0x30, 0x3B, 0x00, 0xFF, 0x27, 0x0A, 0x7D]
        let command = CurlCommand.build(method: "PUT", url: "https://api.jwplayer.com/v2/x/", token: Self.token, body: body)
        #expect(!command.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "a control character on the command line")
        let received = try Self.run(command, variable: "JWP_SECRET_CMS_SYNC", secret: "k")
        #expect(received.arguments.last == "@-")
        #expect(received.stdin == Data(body))
    }

    @Test("a hostile method and path cannot leave their quotes; controls in the URL are percent-encoded")
    func hostileMethodAndPath() throws {
        let command = CurlCommand.build(method: "GET'; touch /tmp/pwned2; '", url: "https://api.jwplayer.com/v2/a'b\u{1B}[2J c/",
                                        token: TokenReference(fingerprint: Secret("x").fingerprint, label: nil), body: nil)
        #expect(!command.unicodeScalars.contains { $0.value < 0x20 }, "a control character on the command line")
        let received = try Self.run(command, variable: "JWP_SECRET_" + Secret("x").fingerprint.hex.uppercased(), secret: "k")
        #expect(received.arguments.count == 8, "\(received.arguments)")
        #expect(received.arguments.prefix(3) == ["-q", "-g", "--path-as-is"], "\(received.arguments)")
        #expect(received.arguments[4] == "GET'touchtmppwned2'", "\(received.arguments)")
        #expect(received.arguments[5] == "https://api.jwplayer.com/v2/a'b%1B[2J%20c/")
        #expect(received.arguments[7] == "Authorization: Bearer k")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/pwned2"))
    }
}
