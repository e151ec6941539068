import Crypto
import Foundation
import SwiftASN1
import X509

/// mapitop's own certificate authority (DESIGN.md section 11): an ECDSA P-256 certificate with
/// `CA:true, pathlen:0`, key usage `keyCertSign`, and critical name constraints that permit only
/// the names the tap decrypts, so its key signs nothing else a client would accept.
public struct CertificateAuthority: Sendable {
    public static let lifetime: TimeInterval = 365 * 86_400
    /// Renewed when less than this is left, so no leaf outlives its issuer.
    public static let renewBefore: TimeInterval = 30 * 86_400
    public static let leafLifetime: TimeInterval = 7 * 86_400

    public let certificate: Certificate
    let key: Certificate.PrivateKey
    public let permitted: PermittedNames

    public var expiry: Date { certificate.notValidAfter }

    /// SHA-256 of the certificate's DER, as `openssl x509 -fingerprint -sha256` writes it.
    public var fingerprint: String {
        let digest = SHA256.hash(data: der)
        return digest.map { String(format: "%02X", $0) }.joined(separator: ":")
    }

    /// The certificate in PEM (serializing a parsed or made certificate cannot fail).
    public var pem: String { (try? certificate.serializeAsPEM().pemString) ?? "" }

    var der: [UInt8] { (try? certificate.derBytes()) ?? [] }

    /// A new authority for `permitted`, valid from an hour before `now` (clocks of jobs drift).
    /// `key`: the old authority's, kept on a renewal for time; nil makes a new one.
    public static func make(permitted: PermittedNames, now: Date, key kept: Certificate.PrivateKey? = nil) throws -> CertificateAuthority {
        let key = kept ?? Certificate.PrivateKey(P256.Signing.PrivateKey())
        let publicKey = key.publicKey
        let name = try DistinguishedName {
            OrganizationName("mapitop")
            CommonName("mapitop tap authority (\(ProcessInfo.processInfo.hostName))")
        }
        let constraints = NameConstraints(
            permittedDNSDomains: permitted.hosts.sorted(),
            permittedIPRanges: permitted.addresses.sorted { $0.lexicographicallyPrecedes($1) }.map { bytes in
                ASN1OctetString(contentBytes: ArraySlice(bytes + [UInt8](repeating: 0xFF, count: bytes.count)))
            })
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            Critical(constraints)
            // Only for servers: even its permitted names cannot sign code or mail.
            try ExtendedKeyUsage([.serverAuth])
            SubjectKeyIdentifier(hash: publicKey)
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-3_600), notValidAfter: now.addingTimeInterval(lifetime),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions,
            issuerPrivateKey: key)
        return CertificateAuthority(certificate: certificate, key: key, permitted: permitted)
    }

    /// An authority read back from its PEM files; its permitted names come from the certificate.
    public init(certificatePEM: String, keyPEM: String) throws(AuthorityError) {
        do {
            certificate = try Certificate(pemEncoded: certificatePEM)
        } catch {
            throw AuthorityError("the authority's certificate is not a PEM certificate (\(error))")
        }
        do {
            key = try Certificate.PrivateKey(pemEncoded: keyPEM)
        } catch {
            throw AuthorityError("the authority's key is not a private key in PEM (\(error))")
        }
        guard certificate.publicKey == key.publicKey else {
            throw AuthorityError("the authority's key does not match its certificate (a renewal cut short?); "
                + "delete the folder and a new authority is made")
        }
        var names = PermittedNames([])
        if let constraints = try? certificate.extensions.nameConstraints {
            for name in constraints.permittedSubtrees {
                switch name {
                case .dnsName(let host): names.insert(host)
                case .ipAddress(let range):
                    let bytes = Array(range.bytes)
                    names.insert(PermittedNames.text(Array(bytes.prefix(bytes.count / 2))))
                default: break
                }
            }
        }
        permitted = names
    }

    init(certificate: Certificate, key: Certificate.PrivateKey, permitted: PermittedNames) {
        self.certificate = certificate
        self.key = key
        self.permitted = permitted
    }


    /// Whether it must be made again: near its end, or without a name the tap now needs.
    public func needsRenewal(for needed: PermittedNames, now: Date) -> Bool {
        expiry.timeIntervalSince(now) < Self.renewBefore || !permitted.covers(needed)
    }

    /// A 7-day leaf for one host name or address, with a key of its own.
    public func leaf(for name: String, now: Date) throws -> (certificate: Certificate, key: P256.Signing.PrivateKey) {
        let leafKey = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(leafKey.publicKey)
        let subject = try DistinguishedName { CommonName(String(name.prefix(64))) }
        let alternative: GeneralName
        if let bytes = PermittedNames.addressBytes(name) {
            alternative = .ipAddress(ASN1OctetString(contentBytes: ArraySlice(bytes)))
        } else {
            alternative = .dnsName(name.lowercased())
        }
        var names: [GeneralName] = [alternative]
        // The TLS listener answers for its address and for localhost with one certificate.
        if case .ipAddress = alternative, permitted.permits(host: "localhost") { names.append(.dnsName("localhost")) }
        let issuerKeyIdentifier = try? certificate.extensions.subjectKeyIdentifier?.keyIdentifier
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            try ExtendedKeyUsage([.serverAuth])
            SubjectAlternativeNames(names)
            SubjectKeyIdentifier(hash: publicKey)
            if let issuerKeyIdentifier { AuthorityKeyIdentifier(keyIdentifier: issuerKeyIdentifier) }
        }
        let notAfter = min(now.addingTimeInterval(Self.leafLifetime), expiry)
        let leaf = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-3_600), notValidAfter: notAfter,
            issuer: certificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions,
            issuerPrivateKey: key)
        return (leaf, leafKey)
    }
}
