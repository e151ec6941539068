import Foundation
import ManagementAPI
import Synchronization
import Testing
import X509
@testable import Collectors

#if canImport(Glibc)
    import Glibc
#endif

/// mapitop's authority: its extensions, its files and their modes, its renewal, its leaves.
@Suite("the tap's certificate authority")
struct AuthorityTests {
    final class SteppedClock: WallClock, Sendable {
        private let time = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        func now() -> Date { time.withLock { $0 } }
        func advance(_ seconds: TimeInterval) { time.withLock { $0 += seconds } }
    }

    static func folder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("mapitop-authority-\(UUID().uuidString)").path
    }

    @Test("a new authority is a P-256 CA with pathlen 0, keyCertSign, and critical name constraints of exactly the needed names")
    func extensions() throws {
        let now = Date()
        let authority = try CertificateAuthority.make(permitted: PermittedNames(["api.jwplayer.com", "127.0.0.1", "::1"]), now: now)
        let extensions = authority.certificate.extensions
        let basic = try #require(try extensions.basicConstraints)
        #expect(basic == .isCertificateAuthority(maxPathLength: 0))
        #expect(try extensions.keyUsage?.keyCertSign == true)
        #expect(extensions.first { $0.oid == .X509ExtensionID.nameConstraints }?.critical == true)
        #expect(extensions.first { $0.oid == .X509ExtensionID.basicConstraints }?.critical == true)
        let constraints = try #require(try extensions.nameConstraints)
        #expect(Set(constraints.permittedDNSDomains) == ["api.jwplayer.com"])
        #expect(constraints.permittedIPRanges.count == 2)
        #expect(authority.expiry.timeIntervalSince(now) > 360 * 86_400)
        #expect(authority.permitted.description == "api.jwplayer.com, 127.0.0.1, ::1")
    }

    @Test("a leaf names its host (or address and localhost), serves only, and lives 7 days")
    func leaves() throws {
        let now = Date()
        let authority = try CertificateAuthority.make(permitted: PermittedNames.standard, now: now)
        let leaf = try authority.leaf(for: "api.jwplayer.com", now: now).certificate
        #expect(try leaf.extensions.subjectAlternativeNames == SubjectAlternativeNames([.dnsName("api.jwplayer.com")]))
        #expect(try leaf.extensions.basicConstraints == .notCertificateAuthority)
        #expect(try leaf.extensions.extendedKeyUsage == ExtendedKeyUsage([.serverAuth]))
        // Certificates keep whole seconds.
        #expect(abs(leaf.notValidAfter.timeIntervalSince(now) - CertificateAuthority.leafLifetime) < 1)
        #expect(leaf.issuer == authority.certificate.subject)
        let listener = try authority.leaf(for: "127.0.0.1", now: now).certificate
        #expect(try listener.extensions.subjectAlternativeNames == SubjectAlternativeNames([
            .ipAddress(.init(contentBytes: [127, 0, 0, 1])), .dnsName("localhost"),
        ]))
    }

    @Test("made on first need with a 0700 folder and a 0600 key, read back the same, renewed before expiry keeping its names, and grown when a name is missing")
    func storeLifecycle() throws {
        let folder = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files = AuthorityFiles(folder: folder + "/ca")
        let clock = SteppedClock()
        let store = AuthorityStore(files: files, needed: PermittedNames(["media.example.net"]), clock: clock)
        let first = try store.current()
        var info = stat()
        stat(files.folder, &info)
        #expect(info.st_mode & 0o777 == 0o700)
        stat(files.keyPath, &info)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(first.permitted.permits(host: "media.example.net") && first.permitted.permits(host: "api.jwplayer.com"))
        // Another store (another process) reads the same authority.
        let second = try AuthorityStore(files: files, needed: PermittedNames([]), clock: clock).current()
        #expect(second.fingerprint == first.fingerprint)
        #expect(try files.existing()?.fingerprint == first.fingerprint)

        // Near its end: renewed, with every name it had.
        clock.advance(CertificateAuthority.lifetime - CertificateAuthority.renewBefore + 60)
        let renewed = try store.current()
        #expect(renewed.fingerprint != first.fingerprint)
        #expect(renewed.permitted == first.permitted)
        // With the same key: a job's bundle with the old certificate still trusts what it signs.
        #expect(renewed.certificate.publicKey == first.certificate.publicKey)

        // A store that needs a name the authority lacks makes one that permits both.
        let grown = try AuthorityStore(files: files, needed: PermittedNames(["other.example.org"]), clock: clock).current()
        #expect(grown.permitted.permits(host: "other.example.org") && grown.permitted.permits(host: "media.example.net"))
        #expect(grown.certificate.publicKey != renewed.certificate.publicKey)
        // The bundle beside it follows each new authority.
        #expect(try String(contentsOfFile: files.bundlePath, encoding: .utf8).hasSuffix(grown.pem))
    }

    @Test("a folder others can enter or a key others can read is refused with the chmod that fixes it; garbage is said, not replaced")
    func refusals() throws {
        let folder = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files = AuthorityFiles(folder: folder + "/ca")
        _ = try AuthorityStore(files: files, needed: PermittedNames([])).current()
        chmod(files.keyPath, 0o640)
        #expect(throws: AuthorityError("the authority's key \(files.keyPath) is mode 640, open to others; it must be 600: chmod 600 \(files.keyPath) "
                + "(and if others could have copied it, delete the folder: a new authority is made)")) {
            try AuthorityStore(files: files, needed: PermittedNames([])).current()
        }
        chmod(files.keyPath, 0o600)
        chmod(files.folder, 0o755)
        #expect(throws: AuthorityError("the authority's folder \(files.folder) is mode 755, open to others; it must be 700: chmod 700 \(files.folder)")) {
            try files.existing()
        }
        chmod(files.folder, 0o700)
        try "garbage".write(toFile: files.certificatePath, atomically: true, encoding: .utf8)
        #expect(throws: AuthorityError.self) { try AuthorityStore(files: files, needed: PermittedNames([])).current() }
        #expect(try String(contentsOfFile: files.certificatePath, encoding: .utf8) == "garbage")
    }

    @Test("the bundle is the system's list plus mapitop's, written only when it changes")
    func bundle() throws {
        let folder = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files = AuthorityFiles(folder: folder + "/ca")
        let authority = try AuthorityStore(files: files, needed: PermittedNames([])).current()
        let system = folder + "/system.pem"
        try "-----BEGIN CERTIFICATE-----\nSYSTEM\n-----END CERTIFICATE-----".write(toFile: system, atomically: true, encoding: .utf8)
        #expect(try files.writeBundle(authority: authority, systemBundles: [folder + "/absent.pem", system]) == system)
        let text = try String(contentsOfFile: files.bundlePath, encoding: .utf8)
        #expect(text.hasPrefix("-----BEGIN CERTIFICATE-----\nSYSTEM\n-----END CERTIFICATE-----\n# mapitop tap authority, SHA-256 "))
        #expect(text.hasSuffix(authority.pem))
        var before = stat()
        stat(files.bundlePath, &before)
        try files.writeBundle(authority: authority, systemBundles: [system])
        var after = stat()
        stat(files.bundlePath, &after)
        #expect(before.st_ino == after.st_ino, "an unchanged bundle was written again")
    }

    @Test("a handshake that fails is said once per host per minute")
    func refusedHandshakesAreRateLimited() {
        let clock = SteppedClock()
        let lines = Mutex<[String]>([])
        let refused = RefusedHandshakes(logger: .init(label: "test"), clock: clock, notice: { line in lines.withLock { $0.append(line) } })
        refused.note(host: "api.jwplayer.com", reason: "unknown ca", clientRefused: true)
        refused.note(host: "api.jwplayer.com", reason: "unknown ca", clientRefused: true)
        refused.note(host: "127.0.0.1", reason: "unknown ca", clientRefused: true)
        clock.advance(61)
        refused.note(host: "api.jwplayer.com", reason: "unknown ca", clientRefused: true)
        #expect(lines.withLock { $0.map { $0.prefix(40) } } == [
            "a TLS handshake for api.jwplayer.com fai", "a TLS handshake for 127.0.0.1 failed: un", "a TLS handshake for api.jwplayer.com fai",
        ])
    }
}

