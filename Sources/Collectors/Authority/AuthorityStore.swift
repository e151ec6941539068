import Foundation
import ManagementAPI
import NIOCore
import NIOPosix
import NIOSSL
import SwiftASN1
import Synchronization
import X509

#if canImport(Glibc)
    import Glibc
#endif

/// The authority as the running tap uses it: made on first need (the tap asks at start),
/// read back from its files, renewed before it expires (with the same key, so a job's
/// bundle keeps trusting it) or when the tap needs a name it does not permit, and the TLS
/// context of each name's leaf kept in memory for the leaf's life. Whenever it is made or
/// read anew, the bundle beside it is rewritten if it changed.
///
/// Every lookup compares the files' identity with the one the authority was read from, so
/// files deleted or replaced under the tap are noticed on the next handshake: the next leaf
/// comes from the authority now on disk (a fresh one when the files are gone), and a broken
/// one is said instead of used. The origin-form path never depends on it.
///
/// `cachedContext(for:)` is the event loop's fast path (a lock and two `stat`s); anything
/// that reads or writes files, generates keys or signs runs through `context(for:on:)` on
/// NIO's blocking thread pool.
public final class AuthorityStore: Sendable {
    public let files: AuthorityFiles
    /// What the tap decrypts and where its TLS listener answers.
    public let needed: PermittedNames
    let clock: any WallClock

    /// A leaf is made again this long before it expires.
    static let leafMargin: TimeInterval = 86_400
    /// How long a lookup waits for another process (a recorder, `mapitop env`) that holds the
    /// authority's lock, in steps of 50 ms.
    static let lockAttempts = 100

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

    /// The authority now on disk, made or renewed first if it must be. Blocking: file I/O.
    public func current() throws(AuthorityError) -> CertificateAuthority {
        let now = clock.now()
        return try state.withLock { (state) throws(AuthorityError) -> CertificateAuthority in
            try current(&state, now: now)
        }
    }

    /// The context for `name` when it is kept and its authority's files are unchanged (nil
    /// too when another thread is making one).
    func cachedContext(for name: String) -> NIOSSLContext? {
        let now = clock.now()
        let identity = files.identity()
        // Never waits: the blocking pool may hold the lock while it makes an authority (files,
        // keys, fsyncs); the tap's one event loop then takes the slow path instead of stalling.
        return state.withLockIfAvailable { state -> NIOSSLContext? in
            guard let authority = state.authority, identity == state.identity, !authority.needsRenewal(for: needed, now: now),
                  let leaf = state.leaves[name.lowercased()], leaf.expiry.timeIntervalSince(now) > Self.leafMargin
            else { return nil }
            return leaf.context
        } ?? nil
    }

    /// The context for `name`, from the cache on the loop, else made on the blocking pool.
    func context(for name: String, on eventLoop: any EventLoop) -> EventLoopFuture<NIOSSLContext> {
        if let cached = cachedContext(for: name) { return eventLoop.makeSucceededFuture(cached) }
        return NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) { try self.context(for: name) }
    }

    /// The server context for `name` (a host or an address): its leaf, made now or kept.
    /// Blocking: file I/O, key generation and signing on a miss.
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
        if let authority = state.authority, files.identity() == state.identity, !authority.needsRenewal(for: needed, now: now) {
            return authority
        }
        state.leaves.removeAll()
        state.authority = nil
        let (authority, identity) = try loadOrMake(now: now)
        state.authority = authority
        state.identity = identity
        // Jobs set up with `mapitop env` read the bundle: it follows the authority. A bundle
        // that cannot be written does not stop the tap from decrypting.
        _ = try? files.writeBundle(authority: authority)
        return authority
    }

    /// Reads the authority, or makes one when there is none, under a lock file so that a
    /// recorder and `mapitop env` starting together make one, not two. Returns it with the
    /// files' identity read under the same lock.
    private func loadOrMake(now: Date) throws(AuthorityError) -> (CertificateAuthority, String) {
        try files.prepareFolder()
        let lockPath = files.folder + "/.lock"
        let lock = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw AuthorityError("cannot lock \(lockPath): \(AuthorityFiles.reason(errno))") }
        defer { close(lock) }
        var attempts = 0
        while flock(lock, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, attempts < Self.lockAttempts else {
                throw AuthorityError("another mapitop holds the authority's lock \(lockPath); try again, or stop it")
            }
            attempts += 1
            usleep(50_000)
        }
        var existing: CertificateAuthority?
        if try files.keyStatus() != nil, FileManager.default.fileExists(atPath: files.certificatePath) {
            existing = try CertificateAuthority(certificatePEM: try files.read(files.certificatePath), keyPEM: try files.read(files.keyPath))
        }
        if let existing, !existing.needsRenewal(for: needed, now: now) { return (existing, files.identity()) }
        // Renewal keeps every name the old one permitted, and its key while those names still
        // cover what is needed, so jobs set up before keep trusting what it signs.
        let names = existing.map { $0.permitted.union(needed) } ?? needed
        let keptKey = existing.flatMap { $0.permitted.covers(needed) ? $0.key : nil }
        let made: CertificateAuthority
        let keyPEM: String
        let certificatePEM: String
        do {
            made = try CertificateAuthority.make(permitted: names, now: now, key: keptKey)
            keyPEM = try made.key.serializeAsPEM().pemString
            certificatePEM = try made.certificate.serializeAsPEM().pemString
        } catch {
            throw AuthorityError("cannot make an authority: \(error)")
        }
        if keptKey == nil { try AuthorityFiles.writeAtomically(keyPEM, to: files.keyPath, mode: 0o600) }
        try AuthorityFiles.writeAtomically(certificatePEM, to: files.certificatePath, mode: 0o644)
        return (made, files.identity())
    }
}

extension Certificate {
    func derBytes() throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(self)
        return serializer.serializedBytes
    }
}
