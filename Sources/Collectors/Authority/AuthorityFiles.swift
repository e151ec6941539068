import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Why the authority cannot be used, said in one line with what to do about it.
public struct AuthorityError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The authority's folder and files on disk: who may read them, and writes that never leave
/// half a file. Like ssh with its keys, a folder or key others can read is refused with the
/// command that fixes it, rather than used or silently repaired: a key that others could read
/// may already be copied, and only its owner can judge that.
public struct AuthorityFiles: Sendable {
    public let folder: String
    public var certificatePath: String { folder + "/ca.pem" }
    public var keyPath: String { folder + "/ca-key.pem" }

    public init(folder: String) { self.folder = folder }

    /// `$XDG_STATE_HOME/mapitop/ca`, given the state folder (`StateFolder.path`).
    public init(stateFolder: String) { folder = stateFolder + "/ca" }

    /// Creates the folder (0700) when it is missing, and refuses one others can enter.
    func prepareFolder() throws(AuthorityError) {
        var info = stat()
        if stat(folder, &info) != 0 {
            guard errno == ENOENT else { throw AuthorityError("cannot read the authority's folder \(folder): \(Self.reason(errno))") }
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw AuthorityError("cannot create the authority's folder \(folder): \(error.localizedDescription)")
            }
            // The parents keep the mode they were given; only this folder must be private.
            chmod(folder, 0o700)
            return
        }
        try Self.requirePrivate(info, path: folder, kind: "folder", mode: 0o700)
    }

    /// Refuses a key file that is not its owner's alone. Nil when it does not exist.
    func keyStatus() throws(AuthorityError) -> stat? {
        var info = stat()
        guard stat(keyPath, &info) == 0 else {
            guard errno == ENOENT else { throw AuthorityError("cannot read the authority's key \(keyPath): \(Self.reason(errno))") }
            return nil
        }
        try Self.requirePrivate(info, path: keyPath, kind: "key", mode: 0o600)
        return info
    }

    /// The identity of both files (device, inode, size, change time): when it changes, the
    /// files were replaced or deleted under the running tap.
    func identity() -> String {
        [certificatePath, keyPath].map { path in
            var info = stat()
            guard stat(path, &info) == 0 else { return "missing" }
            return "\(info.st_dev):\(info.st_ino):\(info.st_size):\(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)"
        }.joined(separator: "|")
    }

    func read(_ path: String) throws(AuthorityError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw AuthorityError("cannot read \(path): \(error.localizedDescription)")
        }
    }

    /// Writes `text` to `path` with `mode`, whole or not at all: a temporary file of the same
    /// folder, created with its final mode (never a moment readable by others), synced, then
    /// renamed over the old one.
    static func writeAtomically(_ text: String, to path: String, mode: mode_t) throws(AuthorityError) {
        let temporary = path + ".\(getpid()).tmp"
        unlink(temporary)
        let descriptor = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw AuthorityError("cannot write \(path): \(reason(errno))") }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                let failure = errno
                close(descriptor)
                unlink(temporary)
                throw AuthorityError("cannot write \(path): \(reason(failure))")
            }
            written += count
        }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard synced, rename(temporary, path) == 0 else {
            let failure = errno
            unlink(temporary)
            throw AuthorityError("cannot write \(path): \(reason(failure))")
        }
    }

    private static func requirePrivate(_ info: stat, path: String, kind: String, mode: mode_t) throws(AuthorityError) {
        guard info.st_uid == getuid() else {
            throw AuthorityError("the authority's \(kind) \(path) belongs to uid \(info.st_uid), not to you (uid \(getuid())); "
                + "remove it, or run mapitop as its owner")
        }
        let actual = info.st_mode & 0o777
        guard actual & 0o077 == 0 else {
            throw AuthorityError("the authority's \(kind) \(path) is mode \(String(actual, radix: 8)), open to others; "
                + "it must be \(String(mode, radix: 8)): chmod \(String(mode, radix: 8)) \(path)"
                + (kind == "key" ? " (and if others could have copied it, delete the folder: a new authority is made)" : ""))
        }
    }

    static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }
}

extension AuthorityFiles {
    /// The authority on disk as it is, made by nobody: nil when it was never made. For
    /// `mapitop info`, which only looks.
    public func existing() throws(AuthorityError) -> CertificateAuthority? {
        var info = stat()
        guard stat(folder, &info) == 0 else { return nil }
        try prepareFolder()
        guard try keyStatus() != nil, FileManager.default.fileExists(atPath: certificatePath) else { return nil }
        return try CertificateAuthority(certificatePEM: try read(certificatePath), keyPEM: try read(keyPath))
    }

    /// `bundle.pem`: the system's authorities and mapitop's, for `SSL_CERT_FILE`,
    /// `REQUESTS_CA_BUNDLE` and `CURL_CA_BUNDLE`, which each replace the system's list.
    public var bundlePath: String { folder + "/bundle.pem" }

    /// Where Debian, Fedora, SUSE and Alpine keep the system's authorities, first found wins.
    public static let systemBundles = [
        "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/ca-bundle.pem", "/etc/ssl/cert.pem",
    ]

    /// Writes the bundle when its content would change (atomically, 0644), and says which
    /// system file it started from (nil: none found, the bundle holds mapitop's alone).
    @discardableResult
    public func writeBundle(authority: CertificateAuthority, systemBundles: [String] = AuthorityFiles.systemBundles)
        throws(AuthorityError) -> String?
    {
        let system = systemBundles.first { FileManager.default.isReadableFile(atPath: $0) }
        var text = ""
        if let system {
            text = try read(system)
            if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
        }
        text += "# mapitop tap authority, SHA-256 \(authority.fingerprint)\n" + authority.pem
        if (try? String(contentsOfFile: bundlePath, encoding: .utf8)) != text {
            try Self.writeAtomically(text, to: bundlePath, mode: 0o644)
        }
        return system
    }
}
