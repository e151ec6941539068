import Foundation
import ManagementAPI
import NIOSSL
import SwiftASN1
import Synchronization
import X509

#if canImport(Glibc)
    import Glibc
#endif

/// The authority as the running tap uses it: made on first need, read back from its files,
/// renewed before it expires or when the tap needs a name it does not permit, and the TLS
/// context of each name's leaf kept in memory for the leaf's life.
///
/// Every lookup compares the files' identity with the one the authority was read from, so
/// files deleted or replaced under the tap are noticed on the next handshake: the next leaf
/// comes from the authority now on disk (a fresh one when the files are gone), and a broken
/// one is said instead of used. The origin-form path never depends on it.
public final class AuthorityStore: Sendable {
    public let files: AuthorityFiles
    /// What the tap decrypts and where its TLS listener answers.
    public let needed: PermittedNames
    let clock: any WallClock

    /// A leaf is made again this long before it expires.
    static let leafMargin: TimeInterval = 86_400

    private struct Leaf {
        let context: NIOSSLContext
        let expiry: Date
    }

    private struct State {
        var authority: CertificateAuthority?
        var identity = ""
        var leaves: [String: Leaf] = [:]
    }

    private let state = Mutex(State())

    public init(files: AuthorityFiles, needed: PermittedNames, clock: any WallClock = SystemClock()) {
        self.files = files
        self.needed = PermittedNames.standard.union(needed)
        self.clock = clock
    }

    /// The authority now on disk, made or renewed first if it must be.
    public func current() throws(AuthorityError) -> CertificateAuthority {
        let now = clock.now()
        return try state.withLock { (state) throws(AuthorityError) -> CertificateAuthority in
            try current(&state, now: now)
        }
    }

    /// The server context for `name` (a host or an address): its leaf, made now or kept.
    func context(for name: String) throws(AuthorityError) -> NIOSSLContext {
        let now = clock.now()
        return try state.withLock { (state) throws(AuthorityError) -> NIOSSLContext in
            let authority = try current(&state, now: now)
            let key = name.lowercased()
            if let leaf = state.leaves[key], leaf.expiry.timeIntervalSince(now) > Self.leafMargin { return leaf.context }
            do {
                let (certificate, leafKey) = try authority.leaf(for: name, now: now)
                let chain = try NIOSSLCertificate(bytes: try certificate.derBytes(), format: .der)
                let privateKey = try NIOSSLPrivateKey(bytes: Array(leafKey.derRepresentation), format: .der)
                var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: [.certificate(chain)],
                                                                             privateKey: .privateKey(privateKey))
                // HTTP/1.1 only: the tap reads and records HTTP/1 (DESIGN.md section 11).
                configuration.applicationProtocols = ["http/1.1"]
                configuration.minimumTLSVersion = .tlsv12
                let context = try NIOSSLContext(configuration: configuration)
                // Names are few (the API's hosts, the listener's addresses); a flood of SNI
                // names cannot reach here, since only permitted names get a leaf.
                state.leaves[key] = Leaf(context: context, expiry: certificate.notValidAfter)
                return context
            } catch {
                throw AuthorityError("cannot make a certificate for \(name) from the authority \(files.certificatePath): \(error)")
            }
        }
    }

    private func current(_ state: inout State, now: Date) throws(AuthorityError) -> CertificateAuthority {
        let identity = files.identity()
        if let authority = state.authority, identity == state.identity, !authority.needsRenewal(for: needed, now: now) {
            return authority
        }
        state.leaves.removeAll()
        state.authority = nil
        let authority = try loadOrMake(now: now)
        state.authority = authority
        state.identity = files.identity()
        return authority
    }

    /// Reads the authority, or makes one when there is none, under a lock file so that a
    /// recorder and `mapitop env` starting together make one, not two.
    private func loadOrMake(now: Date) throws(AuthorityError) -> CertificateAuthority {
        try files.prepareFolder()
        let lockPath = files.folder + "/.lock"
        let lock = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw AuthorityError("cannot lock \(lockPath): \(AuthorityFiles.reason(errno))") }
        defer { close(lock) }
        while flock(lock, LOCK_EX) != 0, errno == EINTR {}
        var existing: CertificateAuthority?
        if try files.keyStatus() != nil, FileManager.default.fileExists(atPath: files.certificatePath) {
            existing = try CertificateAuthority(certificatePEM: try files.read(files.certificatePath), keyPEM: try files.read(files.keyPath))
        }
        if let existing, !existing.needsRenewal(for: needed, now: now) { return existing }
        // Renewal keeps every name the old one permitted, so jobs set up before keep working
        // once they take the new bundle.
        let names = existing.map { $0.permitted.union(needed) } ?? needed
        let made: CertificateAuthority
        do {
            made = try CertificateAuthority.make(permitted: names, now: now)
        } catch {
            throw AuthorityError("cannot make an authority: \(error)")
        }
        try AuthorityFiles.writeAtomically(made.keyPEM, to: files.keyPath, mode: 0o600)
        try AuthorityFiles.writeAtomically(made.pem, to: files.certificatePath, mode: 0o644)
        return made
    }
}

extension Certificate {
    func derBytes() throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(self)
        return serializer.serializedBytes
    }
}
